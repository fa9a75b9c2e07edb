package rules

import (
	"strconv"
	"strings"
)

// Path locates a value in a signing or replication configuration: "rules", a rule, one of its
// members, a filter or destination, or one of theirs. It formats itself in API member names
// with 0-based indices, "rules[0].repositoryFilters[1].filter", the form of Finding.Path.
// The zero Path is the configuration itself.
type Path struct {
	rule   int    // index+1 of the rule; 0 when the path is not inside a rule
	list   string // "repositoryFilters" or "destinations" when the path is in or at that list
	item   int    // index+1 in list; 0 for the list itself
	member string // the last member: "rules", "signingProfileArn", "filter", ...; "" for an element
}

// RulesPath is the path of the rules list.
func RulesPath() Path { return Path{member: "rules"} }

// RuleAt returns the path of rule i.
func RuleAt(i int) Path { return Path{rule: i + 1} }

// Member returns the path of member name of the value at p: a rule's "signingProfileArn",
// "repositoryFilters" or "destinations", a filter's "filter" or "filterType", a
// destination's "region" or "registryId".
func (p Path) Member(name string) Path {
	if p.rule > 0 && p.list == "" && p.member == "" && (name == "repositoryFilters" || name == "destinations") {
		p.list = name
		return p
	}
	p.member = name
	return p
}

// Index returns the path of element i of the list at p.
func (p Path) Index(i int) Path {
	if p.list != "" && p.item == 0 && p.member == "" {
		p.item = i + 1
		return p
	}
	if p.rule == 0 && p.member == "rules" {
		return RuleAt(i)
	}
	return p
}

// RuleIndex returns the index of the rule the path is in.
func (p Path) RuleIndex() (int, bool) { return p.rule - 1, p.rule > 0 }

// List returns the list member the path is in or at, "" when none.
func (p Path) List() string { return p.list }

// Field returns the last member name of the path, the list's name for a list, "" for a rule,
// a filter or destination, and the configuration itself.
func (p Path) Field() string {
	if p.member == "" && p.item == 0 {
		return p.list
	}
	return p.member
}

// String formats the path as "rules[0].repositoryFilters[1].filter".
func (p Path) String() string {
	var b strings.Builder
	if p.rule > 0 {
		b.WriteString("rules[")
		b.WriteString(strconv.Itoa(p.rule - 1))
		b.WriteByte(']')
	}
	if p.list != "" {
		b.WriteByte('.')
		b.WriteString(p.list)
		if p.item > 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(p.item - 1))
			b.WriteByte(']')
		}
	}
	if p.member != "" {
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p.member)
	}
	return b.String()
}

// APIPath returns a path as the ECR API's messages print it, with 1-based ".N.member"
// indices: "rules[0].destinations[1]" is "rules.1.member.destinations.2.member".
func APIPath(path string) string { return awsPath(path) }
