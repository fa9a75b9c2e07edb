package rules

import (
	"strings"
	"testing"
)

func TestUnicodeEncodingNamed(t *testing.T) {
	utf16le := func(s string) string {
		var b []byte
		for i := 0; i < len(s); i++ {
			b = append(b, s[i], 0)
		}
		return string(b)
	}
	utf16be := func(s string) string {
		var b []byte
		for i := 0; i < len(s); i++ {
			b = append(b, 0, s[i])
		}
		return string(b)
	}
	utf32le := func(s string) string {
		var b []byte
		for i := 0; i < len(s); i++ {
			b = append(b, s[i], 0, 0, 0)
		}
		return string(b)
	}
	utf32be := func(s string) string {
		var b []byte
		for i := 0; i < len(s); i++ {
			b = append(b, 0, 0, 0, s[i])
		}
		return string(b)
	}
	const doc = `{"rules": []}`
	tests := []struct {
		input, want string
	}{
		{"\xff\xfe" + utf16le(doc), "UTF-16LE"},
		{utf16le(doc), "UTF-16LE"},
		{"\xfe\xff" + utf16be(doc), "UTF-16BE"},
		{utf16be(doc), "UTF-16BE"},
		{"\xff\xfe\x00\x00" + utf32le(doc), "UTF-32LE"},
		{utf32le(doc), "UTF-32LE"},
		{"\x00\x00\xfe\xff" + utf32be(doc), "UTF-32BE"},
		{utf32be(doc), "UTF-32BE"},
		{"\xfe\xff\x4e\x2d", "UTF-16BE"}, // not ASCII: the mark alone tells
	}
	for _, tt := range tests {
		fs := Decode("in", []byte(tt.input)).Findings
		if len(fs) != 1 || fs[0].Code != CodeEncoding || !strings.Contains(fs[0].Message, tt.want) || !strings.Contains(fs[0].Hint, tt.want+"; convert to UTF-8") {
			t.Errorf("%q: %v, want ECR102 naming %s", tt.input, fs, tt.want)
		}
	}
	for _, input := range []string{"a\x00b", "\x00", "rules: [] \x00", "{}", "r\x00", "{\x00}"} {
		if unicodeEncoding([]byte(input)) != "" {
			t.Errorf("%q is named UTF-16 or UTF-32", input)
		}
	}
	if fs := Decode("in", []byte("rules:\x00")).Findings; len(fs) != 1 || !strings.Contains(fs[0].Message, "binary") {
		t.Errorf("a NUL byte in UTF-8 text: %v, want it called binary", fs)
	}
}
