package bruteforce

import (
	"fmt"
	"slices"
	"testing"
)

func ExampleStrings() {
	for s := range Strings("ab", 2) {
		fmt.Printf("%q ", s)
	}
	// Output: "" "a" "b" "aa" "ab" "ba" "bb"
}

func TestStrings(t *testing.T) {
	tests := []struct {
		alphabet string
		maxLen   int
		count    int
	}{
		{"", 3, 1},
		{"a", 0, 1},
		{"a", 4, 5},
		{"abc", 3, 1 + 3 + 9 + 27},
		{"a0._-/A\xff", 3, 1 + 8 + 64 + 512},
	}
	for _, tt := range tests {
		all := slices.Collect(Strings(tt.alphabet, tt.maxLen))
		if len(all) != tt.count {
			t.Errorf("Strings(%q, %d) yields %d strings, want %d", tt.alphabet, tt.maxLen, len(all), tt.count)
		}
		seen := map[string]bool{}
		for i, s := range all {
			if seen[s] {
				t.Errorf("Strings(%q, %d) yields %q twice", tt.alphabet, tt.maxLen, s)
			}
			seen[s] = true
			if i > 0 && len(s) < len(all[i-1]) {
				t.Errorf("Strings(%q, %d) yields %q after the longer %q", tt.alphabet, tt.maxLen, s, all[i-1])
			}
			if len(s) > tt.maxLen {
				t.Errorf("Strings(%q, %d) yields %q, longer than %d", tt.alphabet, tt.maxLen, s, tt.maxLen)
			}
		}
	}
}

func TestStringsStops(t *testing.T) {
	n := 0
	for range Strings("ab", 10) {
		n++
		if n == 4 {
			break
		}
	}
	if n != 4 {
		t.Fatalf("loop ran %d times, want 4", n)
	}
}
