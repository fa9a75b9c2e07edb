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
	if !r.peek('{') {
		return info, r.fail("manifest is not a JSON object")
	}
	more, err := r.open(0, '}')
	for more && err == nil {
		var key string
		if key, err = r.key(); err != nil {
			break
		}
		if err = r.member(&info, key); err != nil {
			break
		}
		more, err = r.next('}')
	}
	if err != nil {
		return Info{}, err
	}
	r.space()
	if r.i != len(r.s) {
		return Info{}, r.fail("data after the JSON object")
	}
	return info, nil
}

// member reads the value of the top-level member key into info, or skips it.
func (r *reader) member(info *Info, key string) error {
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
		more, err := r.open(1, ']')
		for more && err == nil {
			var digest string
			digest, err = r.descriptor()
			info.Manifests = append(info.Manifests, digest)
			if err == nil {
				more, err = r.next(']')
			}
		}
		return err
	}
	return r.value(1)
}

// descriptor reads an element of "manifests" (an object or null) and returns its "digest".
func (r *reader) descriptor() (digest string, err error) {
	r.space()
	if r.literal("null") {
		return "", nil
	}
	if !r.peek('{') {
		return "", r.fail("each element of manifests must be an object")
	}
	more, err := r.open(2, '}')
	for more && err == nil {
		var key string
		if key, err = r.key(); err != nil {
			break
		}
		if key == "digest" {
			digest, err = r.stringOrNull("digest")
		} else {
			err = r.value(3)
		}
		if err == nil {
			more, err = r.next('}')
		}
	}
	return digest, err
}

type reader struct {
	s string
	i int
}

// Byte classes, one lookup each: plainByte holds the bytes a string may hold as they are
// (printable ASCII but '"' and '\\'), spaceByte JSON's four whitespace bytes.
var plainByte, spaceByte = func() (plain, space [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		plain[c] = c != '"' && c != '\\'
	}
	for _, c := range " \t\n\r" {
		space[c] = true
	}
	return plain, space
}()

func (r *reader) fail(msg string) error { return &Error{Offset: r.i, Msg: msg} }

func (r *reader) space() {
	i := r.i
	for i < len(r.s) && spaceByte[r.s[i]] {
		i++
	}
	r.i = i
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

// open consumes the '{' or '[' at depth that is next and reports whether a member or an
// element follows; it consumes close as well when the object or array is empty.
func (r *reader) open(depth int, close byte) (more bool, err error) {
	if depth >= MaxDepth {
		return false, &Error{Offset: r.i, Msg: errDepth.Error()}
	}
	r.i++ // '{' or '['
	r.space()
	if r.peek(close) {
		r.i++
		return false, nil
	}
	return true, nil
}

// next consumes the ',' or the close ('}' or ']') after a member or an element and reports
// whether another one follows.
func (r *reader) next(close byte) (more bool, err error) {
	r.space()
	if r.i < len(r.s) {
		switch r.s[r.i] {
		case ',':
			r.i++
			return true, nil
		case close:
			r.i++
			return false, nil
		}
	}
	if close == '}' {
		return false, r.fail("expected ',' or '}' after an object member")
	}
	return false, r.fail("expected ',' or ']' after an array element")
}

// key reads an object key and the colon after it, and returns the key.
func (r *reader) key() (string, error) {
	r.space()
	key, err := r.str()
	if err != nil {
		return "", err
	}
	return key, r.colon()
}

// skipKey is key for a key nobody reads: validated, not decoded.
func (r *reader) skipKey() error {
	r.space()
	if !r.peek('"') {
		return r.fail("expected a string")
	}
	if _, _, err := r.rawString(); err != nil {
		return err
	}
	return r.colon()
}

func (r *reader) colon() error {
	r.space()
	if !r.peek(':') {
		return r.fail("expected ':' after an object key")
	}
	r.i++
	return nil
}

// value skips any JSON value at depth, validating it.
func (r *reader) value(depth int) error {
	r.space()
	if r.i >= len(r.s) {
		return r.fail("unexpected end of JSON input")
	}
	switch c := r.s[r.i]; {
	case c == '{':
		more, err := r.open(depth, '}')
		for more && err == nil {
			if err = r.skipKey(); err == nil {
				if err = r.value(depth + 1); err == nil {
					more, err = r.next('}')
				}
			}
		}
		return err
	case c == '[':
		more, err := r.open(depth, ']')
		for more && err == nil {
			if err = r.value(depth + 1); err == nil {
				more, err = r.next(']')
			}
		}
		return err
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
	if r.peek('-') {
		r.i++
	}
	switch {
	case r.peek('0'):
		r.i++
	case r.digits() == 0:
		return r.fail("invalid number")
	}
	if r.peek('.') {
		r.i++
		if r.digits() == 0 {
			return r.fail("invalid number")
		}
	}
	if r.peek('e') || r.peek('E') {
		r.i++
		if r.peek('+') || r.peek('-') {
			r.i++
		}
		if r.digits() == 0 {
			return r.fail("invalid number")
		}
	}
	return nil
}

// digits consumes a run of decimal digits and returns its length.
func (r *reader) digits() int {
	i := r.i
	for i < len(r.s) && r.s[i] >= '0' && r.s[i] <= '9' {
		i++
	}
	n := i - r.i
	r.i = i
	return n
}

// rawString validates a string and returns it with its quotes, and whether it is plain (no
// escapes, only ASCII), so that its content is the text between the quotes.
func (r *reader) rawString() (raw string, plain bool, err error) {
	s, start := r.s, r.i
	i := start + 1 // '"'
	plain = true
	for {
		// Eight bytes at a time while they are all plain: a byte needs attention when it is
		// below 0x20, '"', '\\' or not ASCII (its high bit set). (v-ones)&^v&highs is
		// nonzero exactly when some byte of v is zero, and (x-ones*0x20)&^x&highs exactly
		// when some byte of x is below 0x20 (for bytes below 0x80).
		for ; i+8 <= len(s); i += 8 {
			b := s[i : i+8]
			x := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
				uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
			quote, backslash := x^(ones*'"'), x^(ones*'\\')
			if ((x-ones*0x20)&^x|(quote-ones)&^quote|(backslash-ones)&^backslash|x)&highs != 0 {
				break
			}
		}
		for i < len(s) && plainByte[s[i]] {
			i++
		}
		if i >= len(s) {
			break
		}
		switch c := s[i]; {
		case c == '"':
			i++
			r.i = i
			return s[start:i], plain, nil
		case c < 0x20:
			r.i = i
			return "", false, r.fail("invalid control character in string")
		case c == '\\':
			plain = false
			i++
			if i >= len(s) {
				r.i = i
				return "", false, r.fail("unexpected end of JSON input")
			}
			switch s[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				i++
				for k := 0; k < 4; k++ {
					if i >= len(s) || !isHex(s[i]) {
						r.i = i
						return "", false, r.fail("invalid \\u escape in string")
					}
					i++
				}
			default:
				r.i = i
				return "", false, r.fail("invalid escape in string")
			}
		default: // not ASCII
			plain = false
			i++
		}
	}
	r.i = i
	return "", false, r.fail("unexpected end of JSON input")
}

// ones has 1 in every byte, highs the high bit of every byte.
const ones, highs = 0x0101010101010101, 0x8080808080808080

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
