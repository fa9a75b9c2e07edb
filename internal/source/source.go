// Package source parses JSON and YAML documents into trees that remember where every value
// and key came from. It bounds the work bad input can cause (nesting depth, YAML alias
// expansion) and reports syntax errors with their line and column.
package source

import (
	"fmt"
	"unicode/utf8"
)

// Kind is the kind of a node.
type Kind int

const (
	Null Kind = iota
	Bool
	Number
	String
	Object
	Array
	// Tagged is a YAML value with an application tag, such as CloudFormation's !Ref or
	// !Sub: its value is only known when the template is deployed.
	Tagged
)

var kindNames = [...]string{"null", "boolean", "number", "string", "object", "array", "tagged value"}

func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Pos is a 1-based line and column; columns count characters, not bytes.
type Pos struct {
	Line, Column int
}

// Node is one value of a document.
type Node struct {
	Kind Kind
	Pos  Pos
	// Text is the value of a String, the literal of a Number or Bool, and the tag of a
	// Tagged node ("!Ref").
	Text string
	// Value is the tagged value of a Tagged node.
	Value *Node
	// Members are the members of an Object in document order; duplicate keys are kept.
	Members []Member
	// Items are the elements of an Array.
	Items []*Node
}

// Member is one key and value of an object.
type Member struct {
	Key    string
	KeyPos Pos
	Value  *Node
}

// Lookup returns the value of the last member named key, or nil.
func (n *Node) Lookup(key string) *Node {
	if n == nil || n.Kind != Object {
		return nil
	}
	for i := len(n.Members) - 1; i >= 0; i-- {
		if n.Members[i].Key == key {
			return n.Members[i].Value
		}
	}
	return nil
}

// Brief renders a node for a message: strings quoted, containers summarized.
func (n *Node) Brief() string {
	switch n.Kind {
	case String:
		s := n.Text
		if utf8.RuneCountInString(s) > 60 {
			s = string([]rune(s)[:60]) + "..."
		}
		return fmt.Sprintf("%q", s)
	case Number, Bool:
		return n.Text
	case Null:
		return "null"
	case Object:
		return fmt.Sprintf("an object with %d members", len(n.Members))
	case Array:
		return fmt.Sprintf("an array of %d elements", len(n.Items))
	case Tagged:
		return n.Text
	}
	return "?"
}

// Error is a syntax error or an exceeded limit, at a position.
type Error struct {
	Pos Pos
	// Offset is the byte offset of Pos in the input; only ParseJSON sets it (go-yaml
	// reports lines only).
	Offset int
	// Limit is true when the input is well-formed but exceeds a bound (depth, aliases).
	Limit bool
	Msg   string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%d:%d: %s", e.Pos.Line, e.Pos.Column, e.Msg)
}

// Limits bound the work of parsing.
type Limits struct {
	// MaxDepth is the deepest nesting of objects and arrays accepted.
	MaxDepth int
	// MaxAliasNodes is the most values YAML aliases may expand to, counting every value
	// visited while copying an alias; it keeps "billion laughs" documents from expanding
	// without bound. Values outside aliases are bounded by the input's size.
	MaxAliasNodes int
}

// DefaultLimits are generous for any real configuration: the largest valid signing
// configuration has about 3,000 values and 6 levels of nesting.
var DefaultLimits = Limits{MaxDepth: 64, MaxAliasNodes: 10_000}

// lineIndex maps byte offsets to positions. A line ends at "\n", "\r\n" or a lone "\r"
// (classic Mac OS line endings), as YAML defines line breaks. Columns count runes from the
// start of the line;
// it remembers the last position so that a parser asking for increasing offsets on one long
// line does linear work in total, not quadratic.
type lineIndex struct {
	data   []byte
	starts []int

	lastOff int
	lastPos Pos
}

func newLineIndex(data []byte) *lineIndex {
	starts := []int{0}
	for i, c := range data {
		if c == '\n' || (c == '\r' && (i+1 == len(data) || data[i+1] != '\n')) {
			starts = append(starts, i+1)
		}
	}
	return &lineIndex{data: data, starts: starts}
}

func (x *lineIndex) pos(off int) Pos {
	if off > len(x.data) {
		off = len(x.data)
	}
	if off < 0 {
		off = 0
	}
	lo, hi := 0, len(x.starts)
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if x.starts[mid] <= off {
			lo = mid
		} else {
			hi = mid
		}
	}
	var p Pos
	if x.lastPos.Line == lo+1 && x.lastOff <= off {
		p = Pos{Line: lo + 1, Column: x.lastPos.Column + utf8.RuneCount(x.data[x.lastOff:off])}
	} else {
		p = Pos{Line: lo + 1, Column: utf8.RuneCount(x.data[x.starts[lo]:off]) + 1}
	}
	x.lastOff, x.lastPos = off, p
	return p
}

// End returns the position just after the last byte of data: where a truncated
// document ends.
func End(data []byte) Pos {
	return newLineIndex(data).pos(len(data))
}
