// Package manifest reads the few members of an OCI or Docker image manifest that decide how
// ECR treats a push, validating the whole document as JSON in one pass without allocating.
// It exists because encoding/json costs several times a signing-rule match per push.
package manifest

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Info is what a push needs to know of a manifest.
type Info struct {
	// MediaType is the top-level "mediaType" member ("" when absent or null).
	MediaType string
	// Subject is set when the top-level "subject" member is an object: the manifest is a
	// referrer (a signature, an SBOM, an attestation).
	Subject bool
	// Manifests holds the "digest" of each element of the top-level "manifests" array (an
	// image index); "" for an element without one.
	Manifests []string
}

// MaxDepth bounds nesting, as encoding/json does.
const MaxDepth = 10000

// Error says where a manifest stops being acceptable.
type Error struct {
	Offset int // byte offset in the manifest
	Msg    string
}

func (e *Error) Error() string { return fmt.Sprintf("%s at offset %d", e.Msg, e.Offset) }

// Read validates doc as JSON and returns its members of interest. Keys are matched exactly
// (JSON keys are case-sensitive); when a key repeats, the last value wins. The document must
// be an object; mediaType and the digests must be strings (or null), subject an object (or
// null), manifests an array (or null) of objects (or nulls).
func Read(doc string) (Info, error) {
	r := reader{s: doc}
	var info Info
	r.space()
	if r.i >= len(r.s) || r.s[r.i] != '{' {
		return info, r.fail("manifest is not a JSON object")
	}
	err := r.object(0, func(key string) error {
		switch key {
		case "mediaType":
			s, err := r.stringOrNull("mediaType")
			info.MediaType = s
			return err
		case "subject":
			r.space()
			switch {
			case r.peek('{'):
				info.Subject = true
				return r.value(1)
			case r.literal("null"):
				info.Subject = false
				return nil
			}
			return r.fail("subject must be an object")
		case "manifests":
			info.Manifests = info.Manifests[:0]
			r.space()
			if r.literal("null") {
				info.Manifests = nil
				return nil
			}
			if !r.peek('[') {
				return r.fail("manifests must be an array")
			}
			if info.Manifests == nil {
				info.Manifests = []string{}
			}
			return r.array(1, func() error {
				r.space()
				if r.literal("null") {
					info.Manifests = append(info.Manifests, "")
					return nil
				}
				if !r.peek('{') {
					return r.fail("each element of manifests must be an object")
				}
				digest := ""
				err := r.object(2, func(key string) error {
					if key != "digest" {
						return r.value(3)
					}
					s, err := r.stringOrNull("digest")
					digest = s
					return err
				})
				info.Manifests = append(info.Manifests, digest)
				return err
			})
		}
		return r.value(1)
	})
	if err != nil {
		return Info{}, err
	}
	r.space()
	if r.i != len(r.s) {
		return Info{}, r.fail("data after the JSON object")
	}
	return info, nil
}

type reader struct {
	s string
	i int
}

func (r *reader) fail(msg string) error { return &Error{Offset: r.i, Msg: msg} }

func (r *reader) space() {
	for r.i < len(r.s) {
		switch r.s[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

func (r *reader) peek(c byte) bool { return r.i < len(r.s) && r.s[r.i] == c }

// literal consumes word if it is next.
func (r *reader) literal(word string) bool {
	if len(r.s)-r.i >= len(word) && r.s[r.i:r.i+len(word)] == word {
		r.i += len(word)
		return true
	}
	return false
}

var errDepth = errors.New("exceeded max depth")

// object reads {"key": value, ...}; member is called after each key and its colon, and must
// consume the value.
func (r *reader) object(depth int, member func(key string) error) error {
	if depth >= MaxDepth {
		return &Error{Offset: r.i, Msg: errDepth.Error()}
	}
	r.i++ // '{'
	r.space()
	if r.peek('}') {
		r.i++
		return nil
	}
	for {
		r.space()
		key, err := r.str()
		if err != nil {
			return err
		}
		r.space()
		if !r.peek(':') {
			return r.fail("expected ':' after an object key")
		}
		r.i++
		if err := member(key); err != nil {
			return err
		}
		r.space()
		switch {
		case r.peek(','):
			r.i++
		case r.peek('}'):
			r.i++
			return nil
		default:
			return r.fail("expected ',' or '}' after an object member")
		}
	}
}

// array reads [value, ...]; elem must consume each value.
func (r *reader) array(depth int, elem func() error) error {
	if depth >= MaxDepth {
		return &Error{Offset: r.i, Msg: errDepth.Error()}
	}
	r.i++ // '['
	r.space()
	if r.peek(']') {
		r.i++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		r.space()
		switch {
		case r.peek(','):
			r.i++
		case r.peek(']'):
			r.i++
			return nil
		default:
			return r.fail("expected ',' or ']' after an array element")
		}
	}
}

// value skips any JSON value, validating it.
func (r *reader) value(depth int) error {
	r.space()
	if r.i >= len(r.s) {
		return r.fail("unexpected end of JSON input")
	}
	switch c := r.s[r.i]; {
	case c == '{':
		return r.object(depth, func(string) error { return r.value(depth + 1) })
	case c == '[':
		return r.array(depth, func() error { return r.value(depth + 1) })
	case c == '"':
		_, _, err := r.rawString()
		return err
	case c == '-' || c >= '0' && c <= '9':
		return r.number()
	case r.literal("true"), r.literal("false"), r.literal("null"):
		return nil
	}
	return r.fail("invalid character")
}

func (r *reader) number() error {
	digits := func() int {
		n := 0
		for r.i < len(r.s) && r.s[r.i] >= '0' && r.s[r.i] <= '9' {
			r.i++
			n++
		}
		return n
	}
	if r.peek('-') {
		r.i++
	}
	switch {
	case r.peek('0'):
		r.i++
	case digits() == 0:
		return r.fail("invalid number")
	}
	if r.peek('.') {
		r.i++
		if digits() == 0 {
			return r.fail("invalid number")
		}
	}
	if r.peek('e') || r.peek('E') {
		r.i++
		if r.peek('+') || r.peek('-') {
			r.i++
		}
		if digits() == 0 {
			return r.fail("invalid number")
		}
	}
	return nil
}

// rawString validates a string and returns it with its quotes, and whether it is plain (no
// escapes, only ASCII), so that its content is the text between the quotes.
func (r *reader) rawString() (raw string, plain bool, err error) {
	start := r.i
	r.i++ // '"'
	plain = true
	for r.i < len(r.s) {
		c := r.s[r.i]
		switch {
		case c == '"':
			r.i++
			return r.s[start:r.i], plain, nil
		case c < 0x20:
			return "", false, r.fail("invalid control character in string")
		case c == '\\':
			plain = false
			r.i++
			if r.i >= len(r.s) {
				return "", false, r.fail("unexpected end of JSON input")
			}
			switch r.s[r.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				r.i++
			case 'u':
				r.i++
				for k := 0; k < 4; k++ {
					if r.i >= len(r.s) || !isHex(r.s[r.i]) {
						return "", false, r.fail("invalid \\u escape in string")
					}
					r.i++
				}
			default:
				return "", false, r.fail("invalid escape in string")
			}
		default:
			if c >= 0x80 {
				plain = false
			}
			r.i++
		}
	}
	return "", false, r.fail("unexpected end of JSON input")
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// str reads a string and returns its value; plain strings cost no allocation.
func (r *reader) str() (string, error) {
	if !r.peek('"') {
		return "", r.fail("expected a string")
	}
	raw, plain, err := r.rawString()
	if err != nil {
		return "", err
	}
	if plain {
		return raw[1 : len(raw)-1], nil
	}
	var s string // escapes or non-ASCII: decode as encoding/json does
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return "", &Error{Offset: r.i, Msg: err.Error()}
	}
	return s, nil
}

// stringOrNull reads the value of a string member that may be null.
func (r *reader) stringOrNull(member string) (string, error) {
	r.space()
	if r.literal("null") {
		return "", nil
	}
	if !r.peek('"') {
		return "", r.fail(member + " must be a string")
	}
	return r.str()
}
