package manifest

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/ecrsign/ecrsign/internal/manifest/oracle"
)

func TestRead(t *testing.T) {
	tests := []struct {
		doc  string
		want Info
		err  string
	}{
		{doc: `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"digest":"sha256:1","size":2},"layers":[{"size":-1.5e3},true,false,null,"x"]}`,
			want: Info{MediaType: "application/vnd.oci.image.manifest.v1+json"}},
		{doc: " {\"subject\" : {\"digest\":\"d\"} , \"mediaType\":null}\n", want: Info{Subject: true}},
		{doc: `{"subject":null}`, want: Info{}},
		{doc: `{"manifests":[{"digest":"a"},null,{"size":1},{"digest":"b","digest":"c"}]}`, want: Info{Manifests: []string{"a", "", "", "c"}}},
		{doc: `{"manifests":[]}`, want: Info{Manifests: []string{}}},
		{doc: `{"mediaType":"a","mediaType":"\u0062\n"}`, want: Info{MediaType: "b\n"}},
		{doc: `{"MediaType":"a"}`, want: Info{}}, // keys are case-sensitive
		{doc: `{"mediaType":"é"}`, want: Info{MediaType: "é"}},
		{doc: ``, err: "not a JSON object at offset 0"},
		{doc: `null`, err: "not a JSON object"},
		{doc: `[]`, err: "not a JSON object"},
		{doc: `{"a":1}x`, err: "data after the JSON object at offset 7"},
		{doc: `{"a":01}`, err: "expected ',' or '}'"},
		{doc: `{"a":1.}`, err: "invalid number"},
		{doc: `{"a":tru}`, err: "invalid character"},
		{doc: "{\"a\":\"\x01\"}", err: "control character"},
		{doc: `{"a":"\q"}`, err: "invalid escape"},
		{doc: `{"a":"\u12"}`, err: "invalid \\u escape"},
		{doc: `{"a" 1}`, err: "expected ':'"},
		{doc: `{"a":[1 2]}`, err: "expected ',' or ']'"},
		{doc: `{"a":1,}`, err: "expected a string"},
		{doc: `{"mediaType":1}`, err: "mediaType must be a string"},
		{doc: `{"subject":"x"}`, err: "subject must be an object"},
		{doc: `{"manifests":{}}`, err: "manifests must be an array"},
		{doc: `{"manifests":[1]}`, err: "each element of manifests must be an object"},
		{doc: `{"manifests":[{"digest":2}]}`, err: "digest must be a string"},
		{doc: `{"a":"`, err: "unexpected end"},
		{doc: `{"a":` + strings.Repeat("[", MaxDepth+1), err: "exceeded max depth"},
	}
	for _, tt := range tests {
		got, err := Read(tt.doc)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Read(%q) error %v, want %q", tt.doc, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Read(%q) = %+v, %v; want %+v", tt.doc, got, err, tt.want)
		}
	}
}

func TestReadPlainDoesNotAllocate(t *testing.T) {
	doc := `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"digest":"sha256:1"},"layers":[]}`
	if n := testing.AllocsPerRun(100, func() { _, _ = Read(doc) }); n != 0 {
		t.Fatalf("%v allocations", n)
	}
}

// readOracle is the encoding/json reading of the members Read reads.
func readOracle(doc string) (Info, bool) {
	o, ok := oracle.Read(doc)
	return Info{MediaType: o.MediaType, Subject: o.Subject, Manifests: o.Manifests}, ok
}

// checkAgainstOracle fails t unless Read accepts doc exactly when encoding/json does and
// reads the same members.
func checkAgainstOracle(t *testing.T, doc string) {
	t.Helper()
	got, err := Read(doc)
	want, ok := readOracle(doc)
	switch {
	case (err == nil) != ok:
		t.Errorf("Read(%.80q) error %v; encoding/json accepts it: %v", doc, err, ok)
	case ok && !reflect.DeepEqual(got, want):
		t.Errorf("Read(%.80q) = %+v; encoding/json reads %+v", doc, got, want)
	}
}

func TestReadMatchesEncodingJSON(t *testing.T) {
	nest := func(open, close string, n int) string {
		return `{"a":` + strings.Repeat(open, n) + strings.Repeat(close, n) + `}`
	}
	docs := []string{
		ociManifest, imageIndex(), strings.ReplaceAll(ociManifest, "\n", "\r\n\t"),
		`{}`, ` { } `, `{"a":{}}`, `{"a":[]}`, `{"a":[{}, [], "", 0, -0, 0.0, 1e9, 1E-9, -1.5e+3, true, false, null]}`,
		`{"mediaType":"application/vnd.docker.distribution.manifest.v2+json"}`,
		`{"mediaType":"a\"b\\c\/d\be\ff\ng\rh\ti"}`,
		`{"mediaType":"\u0041\u00e9\u20AC\uD83D\uDE00"}`,          // BMP, and a surrogate pair
		`{"mediaType":"\ud800"}`, `{"mediaType":"\udc00\ud800x"}`, // lone surrogates: U+FFFD
		`{"mediaType":"é€😀"}`, "{\"mediaType\":\"\xff\xfe\"}", "{\"mediaType\":\"\xed\xa0\x80\"}", // invalid UTF-8
		"{\"a\":\"\xc3\"}", "{\"\xff\":1}",
		`{"\u006dediaType":"escaped key"}`, `{"mediaType":"a","mediaType":null}`, `{"mediaType":null,"mediaType":"b"}`,
		`{"subject":{}}`, `{"subject":{"a":[1,{"b":null}]}}`, `{"subject":{},"subject":null}`, `{"subject":null,"subject":{}}`,
		`{"manifests":null}`, `{"manifests":[null]}`, `{"manifests":[{"digest":null}]}`, `{"manifests":[{"digest":"\u0061"}]}`,
		`{"manifests":[{"digest":"a"}],"manifests":[{"digest":"b"},{"digest":"c"}]}`, `{"manifests":[{"digest":"a"}],"manifests":null}`,
		`{"manifests":[{"Digest":"a","digest":"b","digest":"c"}]}`, `{"manifests":[{"platform":{"digest":"x"}}]}`,
		nest("[", "]", 1), nest("[", "]", 500), nest("[", "]", MaxDepth-1), nest("[", "]", MaxDepth),
		`{"subject":` + strings.Repeat(`{"a":`, MaxDepth-1) + `1` + strings.Repeat(`}`, MaxDepth),
		`{"subject":` + strings.Repeat(`{"a":`, MaxDepth) + `1` + strings.Repeat(`}`, MaxDepth+1),
		// Not accepted.
		``, ` `, `null`, `[]`, `"x"`, `1`, `{`, `{"a"`, `{"a":`, `{"a":1`, `{"a":1,}`, `{,}`, `{"a":1}x`, `{"a":1}{}`,
		`{"a":01}`, `{"a":-}`, `{"a":1.}`, `{"a":.5}`, `{"a":+1}`, `{"a":1e}`, `{"a":tru}`, `{"a":True}`, `{"a":NaN}`,
		"{\"a\":\"\x00\"}", "{\"a\":\"\x1f\"}", "{\"a\":\"\t\"}", `{"a":"\q"}`, `{"a":"\u12"}`, `{"a":"\u12G4"}`, `{"a":"\`, `{"a":"`,
		`{"a":[1 2]}`, `{"a":[1,]}`, `{"a":{"b" 1}}`, `{"a":{1:2}}`, "{\"a\":1}\v", "\u00a0{}",
		`{"mediaType":1}`, `{"mediaType":{}}`, `{"mediaType":nul}`, `{"subject":"x"}`, `{"subject":[]}`, `{"manifests":{}}`,
		`{"manifests":[1]}`, `{"manifests":["sha256:a"]}`, `{"manifests":[{"digest":2}]}`, `{"manifests":[{"digest":"a",}]}`,
		`{"mediaType":"a","mediaType":1}`, `{"manifests":[{"digest":"a"}],"manifests":[[]]}`,
	}
	for _, doc := range docs {
		checkAgainstOracle(t, doc)
	}
}

// TestReadStringBytes puts every byte value at every offset of a string long enough to be
// read eight bytes at a time, in a member Read decodes and in one it skips.
func TestReadStringBytes(t *testing.T) {
	for c := range 256 {
		for at := range 20 {
			b := []byte(strings.Repeat("x", 20))
			b[at] = byte(c)
			checkAgainstOracle(t, `{"mediaType":"`+string(b)+`"}`)
			checkAgainstOracle(t, `{"skipped":"`+string(b)+`"}`)
		}
	}
}

// TestReadErrors pins the messages and offsets of Read's errors.
func TestReadErrors(t *testing.T) {
	tests := []struct{ doc, err string }{
		{"", "manifest is not a JSON object at offset 0"},
		{" ", "manifest is not a JSON object at offset 1"},
		{"null", "manifest is not a JSON object at offset 0"},
		{"{ ", "expected a string at offset 2"},
		{"{\"", "unexpected end of JSON input at offset 2"},
		{"{\"a", "unexpected end of JSON input at offset 3"},
		{"{\"a\" ", "expected ':' after an object key at offset 5"},
		{"{\"a\": ", "unexpected end of JSON input at offset 6"},
		{"{\"a\":1 ", "expected ',' or '}' after an object member at offset 7"},
		{"{\"a\":1,", "expected a string at offset 7"},
		{"{\"a\":1} x", "data after the JSON object at offset 8"},
		{"{\"a\":-01}", "expected ',' or '}' after an object member at offset 7"},
		{"{\"a\":-}", "invalid number at offset 6"},
		{"{\"a\":1.e3}", "invalid number at offset 7"},
		{"{\"a\":1e+}", "invalid number at offset 8"},
		{"{\"a\":falsy}", "invalid character at offset 5"},
		{"{\"a\":\"x\ty\"}", "invalid control character in string at offset 7"},
		{"{\"a\":\"\\q\"}", "invalid escape in string at offset 7"},
		{"{\"a\":\"\\u12g4\"}", "invalid \\u escape in string at offset 10"},
		{"{\"a\":\"\\", "unexpected end of JSON input at offset 7"},
		{"{\"a\":\"\\u", "invalid \\u escape in string at offset 8"},
		{"{\"a\":\"\\u00", "invalid \\u escape in string at offset 10"},
		{"{\"a\":\"0123456789abcdef\x01\"}", "invalid control character in string at offset 22"},
		{"{\"a\":\"0123456789abcdef", "unexpected end of JSON input at offset 22"},
		{"{\"a\":[1,]}", "invalid character at offset 8"},
		{"{\"a\":[", "unexpected end of JSON input at offset 6"},
		{"{\"a\":[1", "expected ',' or ']' after an array element at offset 7"},
		{"{\"a\":{\"b\" 1}}", "expected ':' after an object key at offset 10"},
		{"{\"a\":{\"b\":1 \"c\":2}}", "expected ',' or '}' after an object member at offset 12"},
		{"{\"a\":{1:2}}", "expected a string at offset 6"},
		{"{\"mediaType\":nul}", "mediaType must be a string at offset 13"},
		{"{\"mediaType\":\"\\x\"}", "invalid escape in string at offset 15"},
		{"{\"subject\":nul}", "subject must be an object at offset 11"},
		{"{\"subject\":{\"a\":}}", "invalid character at offset 16"},
		{"{\"subject\":{\"a\":1,}}", "expected a string at offset 18"},
		{"{\"manifests\":nul}", "manifests must be an array at offset 13"},
		{"{\"manifests\":[{}, 1]}", "each element of manifests must be an object at offset 18"},
		{"{\"manifests\":[{\"digest\":2}]}", "digest must be a string at offset 24"},
		{"{\"manifests\":[{\"digest\":\"a\",}]}", "expected a string at offset 28"},
		{"{\"manifests\":[{\"x\":[}]}", "invalid character at offset 20"},
		{"{\"manifests\":[{\"digest\":\"a\"} {}]}", "expected ',' or ']' after an array element at offset 29"},
		{"{\"manifests\":[null,nul]}", "each element of manifests must be an object at offset 19"},
		{"{\"\\u0061\":\"\x00\"}", "invalid control character in string at offset 11"},
		{"\t\n\r {\"a\":1}\v", "data after the JSON object at offset 11"},
		{`{"a":` + strings.Repeat("[", MaxDepth+1), "exceeded max depth at offset 10004"},
		{`{"a":` + strings.Repeat(`{"a":`, MaxDepth+1), "exceeded max depth at offset 50000"},
		{`{"subject":` + strings.Repeat(`{"a":`, MaxDepth), "exceeded max depth at offset 50006"},
	}
	for _, tt := range tests {
		_, err := Read(tt.doc)
		if err == nil || err.Error() != tt.err {
			t.Errorf("Read(%.40q) error %v, want %q", tt.doc, err, tt.err)
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Read(%.40q) error %T, want *Error", tt.doc, err)
		}
	}
}
