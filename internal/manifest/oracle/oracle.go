// Package oracle reads the members package manifest reads, with encoding/json: the slow,
// obviously right reference that manifest's tests and the fuzz targets compare it against.
package oracle

import (
	"bytes"
	"encoding/json"
)

// Info is what manifest.Info holds.
type Info struct {
	MediaType string
	Subject   bool
	Manifests []string
}

// Read reads the members manifest.Read reads (maps, so that keys match exactly and the last
// duplicate wins) and reports whether encoding/json accepts doc as manifest.Read must: valid
// JSON, an object, and members of the types manifest.Read documents.
func Read(doc string) (Info, bool) {
	var info Info
	b := []byte(doc)
	if !json.Valid(b) {
		return info, false
	}
	if t := bytes.TrimLeft(b, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return info, false
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(b, &top) != nil {
		return info, false
	}
	str := func(raw json.RawMessage) (string, bool) {
		var s *string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		if s == nil {
			return "", true
		}
		return *s, true
	}
	if raw, ok := top["mediaType"]; ok {
		s, ok := str(raw)
		if !ok {
			return info, false
		}
		info.MediaType = s
	}
	if raw, ok := top["subject"]; ok {
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) != nil {
			return info, false
		}
		info.Subject = m != nil
	}
	if raw, ok := top["manifests"]; ok {
		var arr []map[string]json.RawMessage
		if json.Unmarshal(raw, &arr) != nil {
			return info, false
		}
		if arr != nil {
			info.Manifests = []string{}
		}
		for _, el := range arr {
			d := ""
			if raw, ok := el["digest"]; ok {
				s, ok := str(raw)
				if !ok {
					return info, false
				}
				d = s
			}
			info.Manifests = append(info.Manifests, d)
		}
	}
	return info, true
}
