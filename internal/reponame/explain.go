package reponame

import (
	"fmt"
	"strings"
)

// Kind is the grammar Explain explains: repository names and the two kinds of filters over
// them, whose patterns the ECR API model defines apart.
type Kind int

const (
	Name              Kind = iota // RepositoryName: no '*'; '.', '_', '__' or hyphens between components
	SigningFilter                 // SigningRepositoryFilterValue: '*' allowed; one '.', '_' or '-' between parts
	ReplicationFilter             // RepositoryFilterValue: a prefix, no '*'
)

// Explain says why s does not match the pattern of kind: the first character or component
// that breaks it. It is meant for a string already known not to match.
func Explain(s string, kind Kind) string {
	if why, bad := explainCharacters(s, kind); bad {
		return why
	}
	comps := strings.Split(s, "/")
	for i, comp := range comps {
		last := i == len(comps)-1
		if comp == "" {
			switch {
			case kind == ReplicationFilter && last:
				continue // a prefix may end with '/'
			case i == 0:
				return "it starts with '/'"
			}
			return "it has an empty path component ('//' or a trailing '/')"
		}
		if kind == ReplicationFilter {
			// Separators may follow each other and end a component; a component before
			// a '/' must start with a letter or digit, the last one may start with anything.
			if !last && strings.IndexByte("._-", comp[0]) >= 0 {
				return fmt.Sprintf("component %q starts with a separator ('.', '_' or '-')", comp)
			}
			continue
		}
		if why := explainComponent(comp, kind); why != "" {
			return why
		}
	}
	return "it does not match the pattern"
}

// explainCharacters finds the first character the grammar does not allow at all.
func explainCharacters(s string, kind Kind) (string, bool) {
	for i, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			return fmt.Sprintf("upper-case %q at offset %d; names are lower case", r, i), true
		case r == '*' && kind == ReplicationFilter:
			return fmt.Sprintf("%q at offset %d; replication filters are prefixes (PREFIX_MATCH) and cannot hold '*'", r, i), true
		case r == '*' && kind == Name:
			return fmt.Sprintf("%q at offset %d; repository names cannot hold wildcards", r, i), true
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '*', r == '/', r == '.', r == '_', r == '-':
		default:
			allowed := "a-z, 0-9, '.', '_', '-' and '/'"
			if kind == SigningFilter {
				allowed = "a-z, 0-9, '.', '_', '-', '/' and '*'"
			}
			return fmt.Sprintf("character %q at offset %d is not allowed (only %s)", r, i, allowed), true
		}
	}
	return "", false
}

// explainComponent says what is wrong with one non-empty component of a name or a signing
// filter: separators at its ends or in runs the grammar does not allow; "" when nothing is.
func explainComponent(comp string, kind Kind) string {
	if strings.ContainsAny(comp[:1], "._-") || strings.ContainsAny(comp[len(comp)-1:], "._-") {
		return fmt.Sprintf("component %q starts or ends with a separator ('.', '_' or '-')", comp)
	}
	for j := 0; j < len(comp); {
		if strings.IndexByte("._-", comp[j]) < 0 {
			j++
			continue
		}
		k := j
		for k < len(comp) && strings.IndexByte("._-", comp[k]) >= 0 {
			k++
		}
		run := comp[j:k]
		if kind == SigningFilter && len(run) > 1 {
			return fmt.Sprintf("component %q has %s in a row (%q); filters allow one '.', '_' or '-' between letters, digits and '*'", comp, separators(len(run)), run)
		}
		if kind == Name && run != "_" && run != "__" && run != "." && strings.Trim(run, "-") != "" {
			return fmt.Sprintf("component %q has %s in a row (%q); names allow '.', '_', '__' or hyphens between letters and digits", comp, separators(len(run)), run)
		}
		j = k
	}
	return ""
}

func separators(n int) string {
	switch n {
	case 2:
		return "two separators"
	case 3:
		return "three separators"
	}
	return fmt.Sprintf("%d separators", n)
}
