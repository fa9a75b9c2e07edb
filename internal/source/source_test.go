package source

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseJSONPositions(t *testing.T) {
	n, err := ParseJSON([]byte("{\n  \"a\": [1, \"é\", true],\n  \"a\": null\n}"), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Members) != 2 || n.Members[1].KeyPos != (Pos{3, 3}) {
		t.Fatalf("members %+v", n.Members)
	}
	arr := n.Members[0].Value
	want := []struct {
		kind Kind
		pos  Pos
		text string
	}{{Number, Pos{2, 9}, "1"}, {String, Pos{2, 12}, "é"}, {Bool, Pos{2, 17}, "true"}}
	for i, w := range want {
		it := arr.Items[i]
		if it.Kind != w.kind || it.Pos != w.pos || it.Text != w.text {
			t.Errorf("item %d = %v %v %q, want %v %v %q", i, it.Kind, it.Pos, it.Text, w.kind, w.pos, w.text)
		}
	}
	if got := n.Lookup("a"); got.Kind != Null {
		t.Errorf("Lookup returns %v, want the last member", got.Kind)
	}
}

func TestParseJSONErrors(t *testing.T) {
	tests := []struct {
		in, msg string
		pos     Pos
		limit   bool
	}{
		{`{"a": 1`, "truncated", Pos{1, 8}, false},
		{`{"a" 1}`, "expected ':'", Pos{1, 6}, false},
		{`{a: 1}`, "object key", Pos{1, 2}, false},
		{`[1,]`, "where a value belongs", Pos{1, 4}, false},
		{`"abc`, "unterminated string", Pos{1, 1}, false},
		{"\"a\nb\"", "control character", Pos{1, 3}, false},
		{`"\x"`, "invalid string", Pos{1, 1}, false},
		{`01`, "invalid number", Pos{1, 1}, false},
		{`nul`, "invalid literal", Pos{1, 1}, false},
		{`{} {}`, "after the top-level value", Pos{1, 4}, false},
		{"", "truncated", Pos{1, 1}, false},
		{strings.Repeat("[", 65) + strings.Repeat("]", 65), "nesting deeper than 64", Pos{1, 65}, true},
	}
	for _, tt := range tests {
		_, err := ParseJSON([]byte(tt.in), DefaultLimits)
		e, ok := err.(*Error)
		if !ok || !strings.Contains(e.Msg, tt.msg) || e.Pos != tt.pos || e.Limit != tt.limit {
			t.Errorf("ParseJSON(%q) = %v, want %q at %v (limit %v)", tt.in, err, tt.msg, tt.pos, tt.limit)
		}
	}
	if _, err := ParseJSON([]byte(strings.Repeat("[", 64)+strings.Repeat("]", 64)), DefaultLimits); err != nil {
		t.Errorf("64 levels: %v", err)
	}
}

func TestParseYAML(t *testing.T) {
	n, _, err := ParseYAML([]byte("a: !Ref X\nb: &x [1, two, null]\nc: *x\nd: !GetAtt [R, Arn]\n"), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	a := n.Lookup("a")
	if a.Kind != Tagged || a.Text != "!Ref" || a.Value.Text != "X" || a.Pos != (Pos{1, 4}) {
		t.Errorf("a = %+v", a)
	}
	c := n.Lookup("c")
	if c.Kind != Array || len(c.Items) != 3 || c.Items[0].Kind != Number || c.Items[1].Kind != String || c.Items[2].Kind != Null {
		t.Errorf("alias c = %+v", c)
	}
	if d := n.Lookup("d"); d.Kind != Tagged || d.Value.Kind != Array {
		t.Errorf("d = %+v", d)
	}
}

func TestParseYAMLLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 8; i++ {
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := 0; j < 10; j++ {
			b.WriteString("*a" + string(rune('0'+i-1)) + ", ")
		}
		b.WriteString("]\n")
	}
	_, _, err := ParseYAML([]byte(b.String()), DefaultLimits)
	if e, ok := err.(*Error); !ok || !e.Limit || !strings.Contains(e.Msg, "aliases expand") {
		t.Errorf("alias bomb: %v", err)
	}
	_, _, err = ParseYAML([]byte(strings.Repeat("[", 70)+strings.Repeat("]", 70)), DefaultLimits)
	if e, ok := err.(*Error); !ok || !e.Limit {
		t.Errorf("deep YAML: %v", err)
	}
	_, _, err = ParseYAML([]byte("rules:\n  - a: [\n"), DefaultLimits)
	if e, ok := err.(*Error); !ok || e.Pos.Line != 2 {
		t.Errorf("syntax error: %v", err)
	}
}

func TestLineIndexLongLine(t *testing.T) {
	data := []byte("ab\nçd" + strings.Repeat("x", 10))
	x := newLineIndex(data)
	for off, want := range map[int]Pos{0: {1, 1}, 2: {1, 3}, 3: {2, 1}, 5: {2, 2}, 8: {2, 5}} {
		if got := x.pos(off); got != want {
			t.Errorf("pos(%d) = %v, want %v", off, got, want)
		}
	}
	// Increasing offsets on one line reuse the previous position.
	y := newLineIndex(data)
	for off := 3; off < len(data); off++ {
		if off == 4 {
			continue // inside 'ç'
		}
		if got, want := y.pos(off), x.pos(off); got != want {
			t.Errorf("incremental pos(%d) = %v, want %v", off, got, want)
		}
	}
}

func TestLineIndexLineEndings(t *testing.T) {
	tests := []struct {
		name string
		data string
		off  int
		want Pos
	}{
		{"LF", "a\nb\nc", 4, Pos{3, 1}},
		{"CRLF is one break", "a\r\nb\r\nc", 6, Pos{3, 1}},
		{"lone CR", "a\rb\rc", 4, Pos{3, 1}},
		{"mixed", "a\rb\r\nc\nd", 7, Pos{4, 1}},
		{"CR at the end", "ab\r", 3, Pos{2, 1}},
	}
	for _, tt := range tests {
		if got := newLineIndex([]byte(tt.data)).pos(tt.off); got != tt.want {
			t.Errorf("%s: pos(%d) = %v, want %v", tt.name, tt.off, got, tt.want)
		}
	}
	_, err := ParseJSON([]byte("{\r\"a\": [\r  1,]}"), DefaultLimits)
	if e, ok := err.(*Error); !ok || e.Pos != (Pos{3, 5}) || e.Offset != 13 {
		t.Errorf("JSON with CR line endings: %#v", err)
	}
}

func TestParseYAMLErrors(t *testing.T) {
	tests := []struct {
		name  string
		input string
		pos   Pos
		limit bool
		msg   string
	}{
		{"unclosed flow", "rules:\n  - a: [\n", Pos{2, 3}, false, "did not find expected node content"},
		{"tab indent", "rules:\n\t- a", Pos{2, 2}, false, "found character that cannot start any token"},
		{"bad indent", "a: b\n    c: d\n", Pos{2, 5}, false, "mapping values are not allowed"},
		{"CR line endings", "a: 1\r  b: [\r", Pos{2, 3}, false, "mapping values are not allowed"},
		{"no line", "rules: [\n  a: b: c\n", Pos{1, 1}, false, "did not find expected ',' or ']'"},
		{"go-yaml depth", strings.Repeat("[", 10001), Pos{1, 1}, true, "exceeded max depth"},
		{"our depth", strings.Repeat("[", 70) + strings.Repeat("]", 70), Pos{1, 66}, true, "nesting deeper than 64"},
		{"empty", "# nothing\n", Pos{1, 1}, false, "the document is empty"},
	}
	for _, tt := range tests {
		_, _, err := ParseYAML([]byte(tt.input), DefaultLimits)
		e, ok := err.(*Error)
		if !ok || e.Pos != tt.pos || e.Limit != tt.limit || !strings.Contains(e.Msg, tt.msg) {
			t.Errorf("%s: error %#v, want %v limit=%v %q", tt.name, err, tt.pos, tt.limit, tt.msg)
		}
	}
}

func TestParseYAMLMoreDocuments(t *testing.T) {
	tests := []struct {
		name  string
		input string
		more  *Pos
	}{
		{"one document", "rules: []\n", nil},
		{"explicit start", "---\nrules: []\n", nil},
		{"two documents", "rules: []\n---\nrules: [1]\n", &Pos{2, 1}},
		{"empty second", "rules: []\n---\n", nil},
		{"malformed second", "rules: []\n---\na: [\n", &Pos{3, 1}},
		{"end marker, then one", "rules: []\n...\n---\nb: 1\n", &Pos{3, 1}},
	}
	for _, tt := range tests {
		n, more, err := ParseYAML([]byte(tt.input), DefaultLimits)
		if err != nil || n.Lookup("rules") == nil {
			t.Errorf("%s: %v, %v", tt.name, n, err)
			continue
		}
		if (more == nil) != (tt.more == nil) || (more != nil && *more != *tt.more) {
			t.Errorf("%s: more = %v, want %v", tt.name, more, tt.more)
		}
	}
}

func TestValidNumber(t *testing.T) {
	for _, s := range []string{"0", "-0", "12", "-12.5", "1e5", "1E+5", "1.5e-05", "0.0", "123456789012"} {
		if !validNumber([]byte(s)) || !json.Valid([]byte(s)) {
			t.Errorf("%q: not valid", s)
		}
	}
	for _, s := range []string{"", "-", "01", "1.", ".5", "1e", "1e+", "+1", "1-2", "--1", "1.2.3", "0x1", "1ee5"} {
		if validNumber([]byte(s)) || json.Valid([]byte(s)) {
			t.Errorf("%q: valid", s)
		}
	}
}
