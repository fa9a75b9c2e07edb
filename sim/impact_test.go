package sim

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/ecrsign/ecrsign/rules"
)

func TestImpact(t *testing.T) {
	current := signing(rule(profProd, "team/*"), rule(profAudit, "*/api"))
	proposed := signing(rule(profProd, "team/*", "web"), rule(profShared, "*/api"))
	inventory := strings.Join([]string{
		"# repositories",
		"team/api",  // loses audit, gains shared
		"team/web",  // unchanged (prod)
		"",          //
		"  web  ",   // gains prod
		"other/api", // loses audit, gains shared
		"Bad/Name",  // invalid
		"untouched", // unchanged (nothing)
		"a--b/api",  // valid name, only '*' filters can match it: loses audit, gains shared
	}, "\n")
	var changes []SigningChange
	sum := must(SigningImpact(current, proposed, strings.NewReader(inventory), func(c SigningChange) error {
		changes = append(changes, c)
		return nil
	}))(t)
	want := []SigningChange{
		{Repository: "team/api", Line: 2, Gained: []string{profShared}, Lost: []string{profAudit}},
		{Repository: "web", Line: 5, Gained: []string{profProd}},
		{Repository: "other/api", Line: 6, Gained: []string{profShared}, Lost: []string{profAudit}},
		{Repository: "a--b/api", Line: 9, Gained: []string{profShared}, Lost: []string{profAudit}},
	}
	if !reflect.DeepEqual(changes, want) {
		t.Fatalf("changes\n got %+v\nwant %+v", changes, want)
	}
	if sum.Repositories != 6 || sum.Changed != 4 || sum.Invalid != 1 || sum.SignedBefore != 4 || sum.SignedAfter != 5 {
		t.Fatalf("summary %+v", sum)
	}
	if !reflect.DeepEqual(sum.Gained, map[string]int{profShared: 3, profProd: 1}) || !reflect.DeepEqual(sum.Lost, map[string]int{profAudit: 3}) {
		t.Fatalf("counts %+v %+v", sum.Gained, sum.Lost)
	}
	if len(sum.InvalidExamples) != 1 || !strings.HasPrefix(sum.InvalidExamples[0], "line 7: Bad/Name: ") {
		t.Fatalf("invalid examples %q", sum.InvalidExamples)
	}
}

func TestImpactEdges(t *testing.T) {
	// No configuration today: everything signed is a gain; a nil callback only counts.
	sum := must(SigningImpact(nil, signing(rule(profProd)), strings.NewReader("ab\ncd\n"), nil))(t)
	if sum.Changed != 2 || sum.Gained[profProd] != 2 || sum.SignedBefore != 0 {
		t.Fatalf("%+v", sum)
	}
	// Deleting the configuration loses everything.
	sum = must(SigningImpact(signing(rule(profProd)), nil, strings.NewReader("ab\n"), nil))(t)
	if sum.Lost[profProd] != 1 {
		t.Fatalf("%+v", sum)
	}
	_, err := SigningImpact(signing(rule(profProd, "Bad")), nil, strings.NewReader(""), nil)
	wantAPIError(t, err, "ValidationException", "'signingConfiguration.rules.1.member.repositoryFilters.1.member.filter'")
	_, err = SigningImpact(nil, nil, strings.NewReader("ab\n"+strings.Repeat("x", 5000)+"\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "inventory line 2: longer than 4096 bytes") {
		t.Fatalf("long line: %v", err)
	}
	stop := errors.New("stop")
	calls := 0
	_, err = SigningImpact(nil, signing(rule(profProd)), strings.NewReader("ab\ncd\nef\n"), func(SigningChange) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("callback error: %v after %d calls", err, calls)
	}
}

// failingReader returns its data, then err.
type failingReader struct {
	data string
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestScanInventory(t *testing.T) {
	// Names and lines given to fn; skipped lines; invalid lines counted, five shown.
	var got []string
	n, err := scanInventory(strings.NewReader("# inventory\n ab \n\n\t# indented comment\nX\ncd\r\n-a\n-b\n-c\n-d\n-e\nef"), func(line int, name string) error {
		got = append(got, fmt.Sprintf("%d:%s", line, name))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"2:ab", "6:cd", "12:ef"}; !reflect.DeepEqual(got, want) {
		t.Errorf("names %q, want %q", got, want)
	}
	if n.valid != 3 || n.invalid != 6 || len(n.examples) != maxInvalidShown ||
		n.examples[0] != "line 5: X: "+rules.ValidateRepositoryName("X").Error() || !strings.HasPrefix(n.examples[4], "line 10: -d: ") {
		t.Errorf("counts %+v", n)
	}

	// A read error names the line it interrupts; the counts are those of the lines before.
	broken := errors.New("connection reset")
	n, err = scanInventory(&failingReader{data: "ab\ncd\n", err: broken}, func(int, string) error { return nil })
	if !errors.Is(err, broken) || err.Error() != "inventory line 3: connection reset" || n.valid != 2 {
		t.Errorf("read error: %v, counts %+v", err, n)
	}

	// An error from fn is returned as is, and stops the scan.
	stop := errors.New("stop")
	n, err = scanInventory(strings.NewReader("ab\ncd\n"), func(int, string) error { return stop })
	if err != stop || n.valid != 1 {
		t.Errorf("fn error: %v, counts %+v", err, n)
	}
}
