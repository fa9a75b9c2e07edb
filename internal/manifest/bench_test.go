package manifest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// ociManifest is a typical image manifest, indented: a config and one layer, 481 bytes.
const ociManifest = `{
  "schemaVersion": 2,
  "mediaType": "application/vnd.oci.image.manifest.v1+json",
  "config": {
    "mediaType": "application/vnd.oci.image.config.v1+json",
    "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
    "size": 1469
  },
  "layers": [
    {
      "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
      "digest": "sha256:2e8b0e6ec3f8e0b2c1a4b4e1c0f1a0e7d9e5b2f3a4c6d8e0f1a2b3c4d5e6f7a8",
      "size": 3623807
    }
  ]
}`

// imageIndex is a compact image index of 50 platform manifests, about 10 KB.
func imageIndex() string {
	var ms []string
	for i := range 50 {
		ms = append(ms, fmt.Sprintf(`{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%064x","size":%d,"platform":{"architecture":"amd64","os":"linux"}}`, i, 500+i))
	}
	return `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[` + strings.Join(ms, ",") + `]}`
}

// BenchmarkRead reads a manifest and an image index; the encodingJSON sub-benchmarks decode
// the same members with encoding/json, as the baseline of the ratio.
func BenchmarkRead(b *testing.B) {
	docs := []struct{ name, doc string }{{"manifest", ociManifest}, {"index50", imageIndex()}}
	for _, d := range docs {
		b.Run(d.name, func(b *testing.B) {
			b.SetBytes(int64(len(d.doc)))
			for b.Loop() {
				if _, err := Read(d.doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	for _, d := range docs {
		b.Run(d.name+"/encodingJSON", func(b *testing.B) {
			b.SetBytes(int64(len(d.doc)))
			for b.Loop() {
				var m struct {
					MediaType string          `json:"mediaType"`
					Subject   json.RawMessage `json:"subject"`
					Manifests []struct {
						Digest string `json:"digest"`
					} `json:"manifests"`
				}
				if err := json.Unmarshal([]byte(d.doc), &m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
