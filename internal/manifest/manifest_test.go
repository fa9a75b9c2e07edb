package manifest

import (
	"reflect"
	"strings"
	"testing"
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
