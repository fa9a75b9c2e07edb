package source

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// ParseJSON parses one JSON value (RFC 8259) followed only by white space. Errors are *Error
// values with the position of the offending character.
func ParseJSON(data []byte, lim Limits) (*Node, error) {
	p := &jsonParser{data: data, lines: newLineIndex(data), lim: lim}
	p.skipSpace()
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.off < len(p.data) {
		return nil, p.errorf(p.off, "unexpected %s after the top-level value", p.describe(p.off))
	}
	return n, nil
}

type jsonParser struct {
	data  []byte
	off   int
	lines *lineIndex
	lim   Limits
	// slab hands out nodes allocated in blocks: a document of millions of small values
	// then costs thousands of allocations, not millions.
	slab []Node
}

// node returns a new node.
func (p *jsonParser) node(k Kind, pos Pos, text string) *Node {
	if len(p.slab) == 0 {
		p.slab = make([]Node, 256)
	}
	n := &p.slab[0]
	p.slab = p.slab[1:]
	n.Kind, n.Pos, n.Text = k, pos, text
	return n
}

func (p *jsonParser) errorf(off int, format string, args ...any) *Error {
	return &Error{Pos: p.lines.pos(off), Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// describe names the character at off for an error message.
func (p *jsonParser) describe(off int) string {
	if off >= len(p.data) {
		return "end of input"
	}
	r, _ := utf8.DecodeRune(p.data[off:])
	return fmt.Sprintf("character %q", r)
}

func (p *jsonParser) skipSpace() {
	for p.off < len(p.data) {
		switch p.data[p.off] {
		case ' ', '\t', '\n', '\r':
			p.off++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (*Node, error) {
	if p.off >= len(p.data) {
		return nil, p.errorf(p.off, "unexpected end of input: the document is truncated")
	}
	start := p.off
	pos := p.lines.pos(start)
	switch c := p.data[p.off]; {
	case c == '{' || c == '[':
		if p.lim.MaxDepth > 0 && depth >= p.lim.MaxDepth {
			return nil, &Error{Pos: pos, Offset: start, Limit: true, Msg: fmt.Sprintf("nesting deeper than %d levels", p.lim.MaxDepth)}
		}
		if c == '{' {
			return p.object(pos, depth)
		}
		return p.array(pos, depth)
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return p.node(String, pos, s), nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number(pos)
	case c >= 'a' && c <= 'z':
		for p.off < len(p.data) && p.data[p.off] >= 'a' && p.data[p.off] <= 'z' {
			p.off++
		}
		switch word := string(p.data[start:p.off]); word {
		case "true", "false":
			return p.node(Bool, pos, word), nil
		case "null":
			return p.node(Null, pos, word), nil
		default:
			return nil, p.errorf(start, "invalid literal %q (strings need double quotes)", word)
		}
	default:
		return nil, p.errorf(start, "unexpected %s where a value belongs", p.describe(start))
	}
}

func (p *jsonParser) object(pos Pos, depth int) (*Node, error) {
	n := p.node(Object, pos, "")
	if p.open('}') {
		return n, nil
	}
	for {
		m, err := p.member(depth)
		if err != nil {
			return nil, err
		}
		n.Members = append(n.Members, m)
		done, err := p.next('}', "an object", "an object member")
		if err != nil {
			return nil, err
		}
		if done {
			return n, nil
		}
	}
}

// member parses one member of an object at depth: its key, the ':' and its value.
func (p *jsonParser) member(depth int) (Member, error) {
	p.skipSpace()
	if p.off >= len(p.data) {
		return Member{}, p.errorf(p.off, "unexpected end of input in an object: the document is truncated")
	}
	if p.data[p.off] != '"' {
		return Member{}, p.errorf(p.off, "unexpected %s where an object key (a double-quoted string) belongs", p.describe(p.off))
	}
	keyPos := p.lines.pos(p.off)
	key, err := p.str()
	if err != nil {
		return Member{}, err
	}
	p.skipSpace()
	if p.off >= len(p.data) || p.data[p.off] != ':' {
		return Member{}, p.errorf(p.off, "expected ':' after object key %q, found %s", key, p.describe(p.off))
	}
	p.off++
	p.skipSpace()
	v, err := p.value(depth + 1)
	if err != nil {
		return Member{}, err
	}
	return Member{Key: key, KeyPos: keyPos, Value: v}, nil
}

func (p *jsonParser) array(pos Pos, depth int) (*Node, error) {
	n := p.node(Array, pos, "")
	if p.open(']') {
		return n, nil
	}
	for {
		p.skipSpace()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		n.Items = append(n.Items, v)
		done, err := p.next(']', "an array", "an array element")
		if err != nil {
			return nil, err
		}
		if done {
			return n, nil
		}
	}
}

// open consumes the opening byte of an object or array and the space after it, and the
// closing byte too if the container is empty; it reports whether it was.
func (p *jsonParser) open(closing byte) (empty bool) {
	p.off++
	p.skipSpace()
	if p.off < len(p.data) && p.data[p.off] == closing {
		p.off++
		return true
	}
	return false
}

// next consumes the ',' or the closing byte after an element of a container (described as
// "an object", its elements as "an object member"); done is true after the closing byte.
func (p *jsonParser) next(closing byte, container, element string) (done bool, err error) {
	p.skipSpace()
	if p.off >= len(p.data) {
		return false, p.errorf(p.off, "unexpected end of input in %s: the document is truncated", container)
	}
	switch p.data[p.off] {
	case ',':
		p.off++
		return false, nil
	case closing:
		p.off++
		return true, nil
	}
	return false, p.errorf(p.off, "expected ',' or '%c' after %s, found %s", closing, element, p.describe(p.off))
}

// str scans a string starting at the opening quote and returns its value.
func (p *jsonParser) str() (string, error) {
	start := p.off
	i := p.off + 1
	escaped := false
	for i < len(p.data) {
		switch c := p.data[i]; {
		case c == '"':
			raw := p.data[start : i+1]
			p.off = i + 1
			if !escaped {
				if !utf8.Valid(raw) {
					return "", p.errorf(start, "string is not valid UTF-8")
				}
				return string(raw[1 : len(raw)-1]), nil
			}
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return "", p.errorf(start, "invalid string: %v", err)
			}
			if !utf8.Valid(raw) {
				return "", p.errorf(start, "string is not valid UTF-8")
			}
			return s, nil
		case c == '\\':
			escaped = true
			i += 2
		case c < 0x20:
			return "", p.errorf(i, "control character %q in a string (escape it, or close the string)", rune(c))
		default:
			i++
		}
	}
	return "", p.errorf(start, "unterminated string: the document is truncated")
}

func (p *jsonParser) number(pos Pos) (*Node, error) {
	start := p.off
	for p.off < len(p.data) {
		c := p.data[p.off]
		if (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			p.off++
			continue
		}
		break
	}
	lit := p.data[start:p.off]
	if !validNumber(lit) {
		return nil, p.errorf(start, "invalid number %q", lit)
	}
	return p.node(Number, pos, string(lit)), nil
}

// validNumber reports whether b is a JSON number (RFC 8259 section 6):
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func validNumber(b []byte) bool {
	i := 0
	digits := func() bool {
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	return i == len(b)
}
