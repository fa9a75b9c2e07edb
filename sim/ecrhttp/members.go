package ecrhttp

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// exactMembers returns body without the object members whose names are not, byte for byte,
// a member of the shape t: AWS matches member names case-sensitively, where encoding/json
// would take "SigningConfiguration" for "signingConfiguration". Values that do not have the
// shape's JSON kind are left for the decoder to report. A body whose members all match is
// returned as it is, without re-encoding.
func exactMembers(body []byte, t reflect.Type) ([]byte, error) {
	out, _, err := dropInexact(body, t)
	return out, err
}

// dropInexact is exactMembers, also reporting whether it dropped anything.
func dropInexact(body []byte, t reflect.Type) ([]byte, bool, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) {
		return body, false, nil
	}
	switch t.Kind() {
	case reflect.Struct:
		if reflect.PointerTo(t).Implements(unmarshalerType) {
			return body, false, nil
		}
		fields := shapeFields(t)
		return dropInMembers(body, trimmed, func(name string) (reflect.Type, bool) {
			ft, ok := fields[name]
			return ft, ok
		})
	case reflect.Map:
		return dropInMembers(body, trimmed, func(string) (reflect.Type, bool) { return t.Elem(), true })
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return body, false, nil
		}
		return dropInItems(body, trimmed, t.Elem())
	}
	return body, false, nil
}

// dropInMembers is dropInexact for an object: the members memberType does not know are
// dropped, the others cleaned in turn. A body that is no object is left for the decoder.
func dropInMembers(body, trimmed []byte, memberType func(name string) (reflect.Type, bool)) ([]byte, bool, error) {
	if trimmed[0] != '{' {
		return body, false, nil
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &members); err != nil {
		return body, false, nil // the decoder reports it where it is
	}
	changed := false
	for name, v := range members {
		mt, ok := memberType(name)
		if !ok {
			delete(members, name)
			changed = true
			continue
		}
		v, c, err := dropInexact(v, mt)
		if err != nil {
			return nil, false, err
		}
		if c {
			members[name], changed = v, true
		}
	}
	if !changed {
		return body, false, nil
	}
	out, err := json.Marshal(members)
	return out, true, err
}

// dropInItems is dropInexact for a list whose elements have the shape elem.
func dropInItems(body, trimmed []byte, elem reflect.Type) ([]byte, bool, error) {
	if trimmed[0] != '[' {
		return body, false, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(trimmed, &items); err != nil {
		return body, false, nil
	}
	changed := false
	for i, v := range items {
		v, c, err := dropInexact(v, elem)
		if err != nil {
			return nil, false, err
		}
		if c {
			items[i], changed = v, true
		}
	}
	if !changed {
		return body, false, nil
	}
	out, err := json.Marshal(items)
	return out, true, err
}

// fieldsOf caches shapeFields: reflect.Type -> map[string]reflect.Type, read only once made.
var fieldsOf sync.Map

// shapeFields returns the JSON member names of struct t with their types, made once per type.
func shapeFields(t reflect.Type) map[string]reflect.Type {
	if f, ok := fieldsOf.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	fields := map[string]reflect.Type{}
	collectFields(t, fields)
	f, _ := fieldsOf.LoadOrStore(t, fields)
	return f.(map[string]reflect.Type)
}

// collectFields maps the JSON member names of struct t (and of its embedded structs) to
// their types.
func collectFields(t reflect.Type, fields map[string]reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				collectFields(ft, fields)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = f.Type
	}
}

// localizeURLs makes the addresses a response gives point at this server: the registry
// login's proxyEndpoint and a layer's downloadUrl.
func localizeURLs(out any, r *http.Request) {
	base := "http://" + r.Host
	if r.TLS != nil {
		base = "https://" + r.Host
	}
	switch o := out.(type) {
	case *ecrapi.GetAuthorizationTokenResponse:
		for i := range o.AuthorizationData {
			o.AuthorizationData[i].ProxyEndpoint = base
		}
	case *ecrapi.GetDownloadUrlForLayerResponse:
		o.DownloadURL = base + o.DownloadURL
	}
}

// emptyMembers reports a repositoryName that is present and empty as AWS does: the empty
// string violates both the member's length and its pattern (an absent or null member is
// "Member must not be null", which the operation reports; package sim cannot tell the two
// apart, its requests hold plain strings).
func emptyMembers(op string, body []byte) error {
	const key = `"repositoryName"`
	i := bytes.Index(body, []byte(key))
	if i < 0 {
		return nil
	}
	rest := bytes.TrimLeft(body[i+len(key):], " \t\r\n")
	rest, ok := bytes.CutPrefix(rest, []byte(":"))
	if !ok || !bytes.HasPrefix(bytes.TrimLeft(rest, " \t\r\n"), []byte(`""`)) {
		return nil
	}
	msg := "2 validation errors detected: Value '' at 'repositoryName' failed to satisfy constraint: Member must have length greater than or equal to 2; " +
		"Value '' at 'repositoryName' failed to satisfy constraint: Member must satisfy regular expression pattern: " + rules.RepositoryNamePattern
	code := ecrapi.InvalidParameterException
	if slices.Contains(ecrapi.OperationErrors(op), ecrapi.ValidationException) {
		code = ecrapi.ValidationException
	}
	return &ecrapi.Error{Code: code, Message: msg}
}

// decodesExactly reports whether body decodes into the shape t as it would once exactMembers
// had cleaned it, so that decodeBody can skip that: true when no object member name in body,
// at any depth, is a spelling, other than its own, of a member name of t (at any depth) up to
// case, which is all encoding/json's case-insensitive matching could take. Member names that
// the shape does not know are ignored by the decoder and dropped by exactMembers alike. A name
// with an escape, or a body that does not scan, gives false (exactMembers decides).
func decodesExactly(body []byte, t reflect.Type) bool {
	names := shapeNames(t)
	for i := 0; i < len(body); i++ {
		if body[i] != '"' {
			continue
		}
		start := i + 1
		end := start
		for end < len(body) && body[end] != '"' {
			if body[end] == '\\' {
				end++ // the escaped byte; a name with an escape is not looked at
			}
			end++
		}
		if end >= len(body) {
			return false
		}
		i = end
		j := end + 1
		for j < len(body) && (body[j] == ' ' || body[j] == '\t' || body[j] == '\r' || body[j] == '\n') {
			j++
		}
		if j == len(body) || body[j] != ':' {
			continue // a string value
		}
		name := body[start:end]
		if bytes.IndexByte(name, '\\') >= 0 {
			return false
		}
		if spelling, ok := names[strings.ToLower(string(name))]; ok && spelling != string(name) {
			return false // another spelling of a member name, or one spelled more than one way
		}
	}
	return true
}

// namesOf caches shapeNames: reflect.Type -> map[string]string, read only once made.
var namesOf sync.Map

// shapeNames maps the lower-case form of every member name of shape t, at any depth, to its
// spelling, or to "" when the shape spells it more than one way.
func shapeNames(t reflect.Type) map[string]string {
	if n, ok := namesOf.Load(t); ok {
		return n.(map[string]string)
	}
	names := map[string]string{}
	collectNames(t, names, map[reflect.Type]bool{})
	n, _ := namesOf.LoadOrStore(t, names)
	return n.(map[string]string)
}

func collectNames(t reflect.Type, names map[string]string, seen map[reflect.Type]bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if seen[t] {
		return
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Struct:
		if reflect.PointerTo(t).Implements(unmarshalerType) {
			return
		}
		for name, ft := range shapeFields(t) {
			lower := strings.ToLower(name)
			if old, ok := names[lower]; ok && old != name {
				names[lower] = ""
			} else {
				names[lower] = name
			}
			collectNames(ft, names, seen)
		}
	case reflect.Map, reflect.Slice, reflect.Array:
		collectNames(t.Elem(), names, seen)
	}
}
