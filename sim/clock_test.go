package sim

import (
	"strings"
	"testing"
	"time"
)

// TestClockChange: each change moves the clock as asked, or is refused and leaves it as it
// was; the clock never runs backward and never leaves the instants the world can hold.
func TestClockChange(t *testing.T) {
	yes, no := true, false
	at := func(s string) *time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return &v
	}
	tests := []struct {
		name    string
		frozen  bool
		changes []ClockChange
		want    string // the instant shown after the changes (frozen clocks), or the error
	}{
		{"advance a frozen clock", true, []ClockChange{{Advance: time.Hour}}, "2026-01-02T04:04:05Z"},
		{"set then advance", true, []ClockChange{{Set: at("2030-01-01T00:00:00Z"), Advance: time.Minute}}, "2030-01-01T00:01:00Z"},
		{"set backward", true, []ClockChange{{Set: at("2020-01-01T00:00:00Z")}}, "never runs backward"},
		{"advance backward", true, []ClockChange{{Advance: -time.Second}}, "never runs backward"},
		{"past the latest instant", true, []ClockChange{{Set: at("8999-12-31T00:00:00Z")}, {Advance: 48 * time.Hour}}, "latest instant"},
		{"year 9999 and a second", true, []ClockChange{{Set: at("9999-12-31T23:59:59Z"), Advance: time.Second}}, "latest instant"},
		{"resume far from real time", true, []ClockChange{{Set: at("8000-01-01T00:00:00Z")}, {Freeze: &no}}, "running clock"},
		{"running clock advanced twice by the longest duration", false, []ClockChange{{Advance: 2562047 * time.Hour}, {Advance: 2562047 * time.Hour}}, "running clock"},
		{"freeze then advance", false, []ClockChange{{Freeze: &yes, Advance: time.Hour}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewClock()
			if tt.frozen {
				c = NewFrozenClock(t0)
			}
			var err error
			for _, ch := range tt.changes {
				before := c.State()
				if err = c.Change(ch); err != nil {
					if after := c.State(); after.Frozen != before.Frozen || after.Offset != before.Offset || before.Frozen && !after.Now.Equal(before.Now) {
						t.Fatalf("a refused change moved the clock: %+v -> %+v", before, after)
					}
					break
				}
				if now := c.Now(); now.Before(before.Now) {
					t.Fatalf("the clock ran backward: %v -> %v", before.Now, now)
				}
			}
			switch {
			case strings.Contains(tt.want, "Z") && tt.frozen:
				if err != nil || c.Now().Format(time.RFC3339) != tt.want {
					t.Fatalf("clock shows %v (%v), want %s", c.Now(), err, tt.want)
				}
			case tt.want != "":
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("error %v, want one saying %q", err, tt.want)
				}
			case err != nil:
				t.Fatal(err)
			}
		})
	}
}
