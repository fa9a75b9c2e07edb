//go:build ignore

// Seed pushes the images describe.lua reads: REPOS repositories bench/svc-0 ..
// bench/svc-<REPOS-1> with PER images each, through PutImage over HTTP, and writes their
// digests as a Lua table to OUT for describe.lua.
//
//	go run bench/wrk/seed.go -url http://127.0.0.1:8645 -repos 64 -per 16 -out /tmp/digests.lua
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strings"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8645", "the server")
	repos := flag.Int("repos", 64, "repositories")
	per := flag.Int("per", 16, "images per repository")
	out := flag.String("out", "digests.lua", "the Lua file of digests to write")
	flag.Parse()
	var lua strings.Builder
	lua.WriteString("digests = {\n")
	for r := range *repos {
		for i := range *per {
			manifest := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%032x%032x","size":2},"layers":[]}`, r, i)
			body, _ := json.Marshal(map[string]string{"repositoryName": fmt.Sprintf("bench/svc-%d", r), "imageManifest": manifest})
			req, _ := http.NewRequest(http.MethodPost, *url+"/", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.PutImage")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				log.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			// a second run against the same state finds the image there: that is fine
			if resp.StatusCode != http.StatusOK && !bytes.Contains(b, []byte("ImageAlreadyExistsException")) {
				log.Fatalf("PutImage: HTTP %d %s", resp.StatusCode, b)
			}
			sum := sha256.Sum256([]byte(manifest))
			fmt.Fprintf(&lua, "  %q,\n", "sha256:"+hex.EncodeToString(sum[:]))
		}
	}
	lua.WriteString("}\n")
	if err := os.WriteFile(*out, []byte(lua.String()), 0o644); err != nil {
		log.Fatal(err)
	}
}
