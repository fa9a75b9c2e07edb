package source

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ParseYAML parses the first document of a YAML stream. Aliases are expanded into copies,
// counting every node visited against Limits.MaxAliasNodes, so a document of nested aliases
// cannot expand without bound. Tags other than YAML's own (!Ref, !Sub, ...) give Tagged
// nodes. Merge keys (<<) are not applied; they are ordinary members.
//
// When the stream holds a second document, more is where it starts (its "---"): a caller
// that reads one document should say that the others are ignored. more is nil otherwise.
func ParseYAML(data []byte, lim Limits) (n *Node, more *Pos, err error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := decodeYAML(dec, &doc); err != nil {
		if err == io.EOF {
			return nil, nil, &Error{Pos: Pos{Line: 1, Column: 1}, Msg: "the document is empty"}
		}
		return nil, nil, yamlError(err, data)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, nil, &Error{Pos: Pos{Line: 1, Column: 1}, Msg: "the document is empty"}
	}
	c := &yamlConverter{lim: lim}
	if n, err = c.convert(doc.Content[0], 0, false); err != nil {
		return nil, nil, err
	}
	// A second document, well-formed or not, is ignored; say where it starts. A "---" with
	// nothing after it holds nothing to ignore.
	var next yaml.Node
	switch err := decodeYAML(dec, &next); {
	case err == io.EOF:
	case err != nil:
		more = &yamlError(err, data).Pos
	case len(next.Content) > 0 && !(next.Content[0].Kind == yaml.ScalarNode && next.Content[0].ShortTag() == "!!null" && next.Content[0].Value == ""):
		more = &Pos{Line: next.Line, Column: next.Column}
	}
	return n, more, nil
}

// decodeYAML runs dec.Decode, turning a panic of go.yaml.in/yaml/v3 (it reports some
// malformed input by panicking inside its own decoder) into an error.
func decodeYAML(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("YAML parser failed: %v", r)
		}
	}()
	return dec.Decode(n)
}

// go-yaml reports syntax errors as "yaml: line N: problem", without the column it knows;
// errors about the input as a whole (its depth) have no line.
var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (?:column (\d+): )?(.*)$`)

// yamlError turns an error of go-yaml into an *Error. Where go-yaml gives a line but no
// column, the column is that of the line's first character that is not white space, the
// nearest an editor can be pointed at. go-yaml's own bound on nesting ("exceeded max
// depth") is a limit, like ours.
func yamlError(err error, data []byte) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	limit := strings.HasPrefix(msg, "exceeded max depth")
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		col, _ := strconv.Atoi(m[2])
		if col == 0 {
			col = firstColumn(data, line)
		}
		return &Error{Pos: Pos{Line: line, Column: col}, Limit: limit, Msg: m[3]}
	}
	return &Error{Pos: Pos{Line: 1, Column: 1}, Limit: limit, Msg: msg}
}

// firstColumn returns the column of the first character of line (1-based) that is not a
// space or tab, 1 for a blank line or a line past the end.
func firstColumn(data []byte, line int) int {
	x := newLineIndex(data)
	if line < 1 || line > len(x.starts) {
		return 1
	}
	off := x.starts[line-1]
	for off < len(data) && (data[off] == ' ' || data[off] == '\t') {
		off++
	}
	if off < len(data) && (data[off] == '\n' || data[off] == '\r') {
		return 1
	}
	return x.pos(off).Column
}

type yamlConverter struct {
	lim   Limits
	nodes int
}

// convert copies y into a Node; alias is true inside the expansion of an alias, where every
// node visited counts against the budget (the others are bounded by the input's size).
func (c *yamlConverter) convert(y *yaml.Node, depth int, alias bool) (*Node, error) {
	pos := Pos{Line: y.Line, Column: y.Column}
	if err := c.charge(pos, depth, alias); err != nil {
		return nil, err
	}
	switch y.Kind {
	case yaml.AliasNode:
		return c.convertAlias(y, depth, alias)
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return &Node{Kind: Null, Pos: pos}, nil
		}
		return c.convert(y.Content[0], depth, alias)
	}
	if isApplicationTag(y.Tag) {
		return c.convertTagged(y, depth, alias)
	}
	switch y.Kind {
	case yaml.MappingNode:
		return c.convertMapping(y, depth, alias)
	case yaml.SequenceNode:
		n := &Node{Kind: Array, Pos: pos}
		for _, e := range y.Content {
			v, err := c.convert(e, depth+1, alias)
			if err != nil {
				return nil, err
			}
			n.Items = append(n.Items, v)
		}
		return n, nil
	case yaml.ScalarNode:
		return &Node{Kind: scalarKind(y.ShortTag()), Pos: pos, Text: y.Value}, nil
	}
	return nil, &Error{Pos: pos, Msg: "unsupported YAML node"}
}

// charge counts a node at pos against the alias and depth budgets.
func (c *yamlConverter) charge(pos Pos, depth int, alias bool) error {
	if alias {
		c.nodes++
		if c.lim.MaxAliasNodes > 0 && c.nodes > c.lim.MaxAliasNodes {
			return &Error{Pos: pos, Limit: true, Msg: fmt.Sprintf("aliases expand to more than %d values", c.lim.MaxAliasNodes)}
		}
	}
	if c.lim.MaxDepth > 0 && depth > c.lim.MaxDepth {
		return &Error{Pos: pos, Limit: true, Msg: fmt.Sprintf("nesting deeper than %d levels (aliases included)", c.lim.MaxDepth)}
	}
	return nil
}

// convertAlias converts the node an alias refers to. A budget exceeded in the outermost
// expansion is reported at the alias, not at a value inside it.
func (c *yamlConverter) convertAlias(y *yaml.Node, depth int, alias bool) (*Node, error) {
	pos := Pos{Line: y.Line, Column: y.Column}
	if y.Alias == nil {
		return nil, &Error{Pos: pos, Msg: "alias to an unknown anchor"}
	}
	n, err := c.convert(y.Alias, depth+1, true)
	if err != nil {
		if e, ok := err.(*Error); ok && e.Limit && !alias {
			e.Pos = pos
		}
		return nil, err
	}
	return n, nil
}

// isApplicationTag reports whether tag is an application tag such as !Ref (one "!", not the
// "!!" of a standard type).
func isApplicationTag(tag string) bool {
	return tag != "" && tag[0] == '!' && (len(tag) < 2 || tag[1] != '!')
}

// convertTagged converts a node with an application tag: it keeps the value and marks it
// unresolvable.
func (c *yamlConverter) convertTagged(y *yaml.Node, depth int, alias bool) (*Node, error) {
	inner := *y
	inner.Tag = ""
	switch y.Kind {
	case yaml.ScalarNode:
		inner.Tag = "!!str"
	case yaml.MappingNode:
		inner.Tag = "!!map"
	case yaml.SequenceNode:
		inner.Tag = "!!seq"
	}
	v, err := c.convert(&inner, depth+1, alias)
	if err != nil {
		return nil, err
	}
	return &Node{Kind: Tagged, Pos: Pos{Line: y.Line, Column: y.Column}, Text: y.Tag, Value: v}, nil
}

// convertMapping converts a mapping whose keys are scalars (or aliases to scalars).
func (c *yamlConverter) convertMapping(y *yaml.Node, depth int, alias bool) (*Node, error) {
	n := &Node{Kind: Object, Pos: Pos{Line: y.Line, Column: y.Column}}
	if len(y.Content)%2 != 0 {
		return nil, &Error{Pos: n.Pos, Msg: "malformed mapping"}
	}
	for i := 0; i < len(y.Content); i += 2 {
		k, v := y.Content[i], y.Content[i+1]
		for k.Kind == yaml.AliasNode && k.Alias != nil {
			k = k.Alias
		}
		if k.Kind != yaml.ScalarNode {
			return nil, &Error{Pos: Pos{k.Line, k.Column}, Msg: "mapping key is not a scalar"}
		}
		val, err := c.convert(v, depth+1, alias)
		if err != nil {
			return nil, err
		}
		n.Members = append(n.Members, Member{Key: k.Value, KeyPos: Pos{k.Line, k.Column}, Value: val})
	}
	return n, nil
}

// scalarKind returns the Kind of a scalar with the resolved short tag.
func scalarKind(shortTag string) Kind {
	switch shortTag {
	case "!!null":
		return Null
	case "!!bool":
		return Bool
	case "!!int", "!!float":
		return Number
	default:
		return String
	}
}
