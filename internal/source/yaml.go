package source

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// ParseYAML parses the first document of a YAML stream. Aliases are expanded into copies,
// counting every node visited against Limits.MaxNodes, so a document of nested aliases
// cannot expand without bound. Tags other than YAML's own (!Ref, !Sub, ...) give Tagged
// nodes. Merge keys (<<) are not applied; they are ordinary members.
func ParseYAML(data []byte, lim Limits) (n *Node, err error) {
	defer func() {
		// go.yaml.in/yaml/v3 reports some malformed input by panicking inside its own
		// decoder; turn that into an error rather than take the caller down.
		if r := recover(); r != nil {
			n, err = nil, &Error{Pos: Pos{Line: 1, Column: 1}, Msg: fmt.Sprintf("YAML parser failed: %v", r)}
		}
	}()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlError(err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, &Error{Pos: Pos{Line: 1, Column: 1}, Msg: "the document is empty"}
	}
	c := &yamlConverter{lim: lim}
	return c.convert(doc.Content[0], 0, false)
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func yamlError(err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return &Error{Pos: Pos{Line: 1, Column: 1}, Msg: te.Error()}
	}
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{Pos: Pos{Line: line, Column: 1}, Msg: m[2]}
	}
	if len(msg) > 6 && msg[:6] == "yaml: " {
		msg = msg[6:]
	}
	return &Error{Pos: Pos{Line: 1, Column: 1}, Msg: msg}
}

type yamlConverter struct {
	lim   Limits
	nodes int
}

// convert copies y into a Node; alias is true inside the expansion of an alias, where every
// node visited counts against the budget (the others are bounded by the input's size).
func (c *yamlConverter) convert(y *yaml.Node, depth int, alias bool) (*Node, error) {
	pos := Pos{Line: y.Line, Column: y.Column}
	if alias {
		c.nodes++
		if c.lim.MaxAliasNodes > 0 && c.nodes > c.lim.MaxAliasNodes {
			return nil, &Error{Pos: pos, Limit: true, Msg: fmt.Sprintf("aliases expand to more than %d values", c.lim.MaxAliasNodes)}
		}
	}
	if c.lim.MaxDepth > 0 && depth > c.lim.MaxDepth {
		return nil, &Error{Pos: pos, Limit: true, Msg: fmt.Sprintf("nesting deeper than %d levels (aliases included)", c.lim.MaxDepth)}
	}
	switch y.Kind {
	case yaml.AliasNode:
		if y.Alias == nil {
			return nil, &Error{Pos: pos, Msg: "alias to an unknown anchor"}
		}
		n, err := c.convert(y.Alias, depth+1, true)
		if err != nil {
			if e, ok := err.(*Error); ok && e.Limit && !alias {
				e.Pos = pos // report the alias that expands too far, not a value inside it
			}
			return nil, err
		}
		return n, nil
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return &Node{Kind: Null, Pos: pos}, nil
		}
		return c.convert(y.Content[0], depth, alias)
	}
	tag := y.Tag
	if tag != "" && tag[0] == '!' && (len(tag) < 2 || tag[1] != '!') {
		// An application tag such as !Ref: keep the value, mark it unresolvable.
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
		return &Node{Kind: Tagged, Pos: pos, Text: tag, Value: v}, nil
	}
	switch y.Kind {
	case yaml.MappingNode:
		n := &Node{Kind: Object, Pos: pos}
		if len(y.Content)%2 != 0 {
			return nil, &Error{Pos: pos, Msg: "malformed mapping"}
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
		switch y.ShortTag() {
		case "!!null":
			return &Node{Kind: Null, Pos: pos, Text: y.Value}, nil
		case "!!bool":
			return &Node{Kind: Bool, Pos: pos, Text: y.Value}, nil
		case "!!int", "!!float":
			return &Node{Kind: Number, Pos: pos, Text: y.Value}, nil
		default:
			return &Node{Kind: String, Pos: pos, Text: y.Value}, nil
		}
	}
	return nil, &Error{Pos: pos, Msg: "unsupported YAML node"}
}
