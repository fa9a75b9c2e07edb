package rules

import (
	"errors"
	"fmt"
	"strings"
)

// ProfileARN is a parsed AWS Signer signing profile ARN,
// arn:PARTITION:signer:REGION:ACCOUNT:/signing-profiles/NAME.
type ProfileARN struct {
	Partition string // "aws", "aws-cn", "aws-us-gov", ...
	Region    string
	Account   string // 12 digits
	Name      string // the signing profile name
}

// String returns the ARN in its canonical form.
func (a ProfileARN) String() string {
	return "arn:" + a.Partition + ":signer:" + a.Region + ":" + a.Account + ":/signing-profiles/" + a.Name
}

// ParseProfileARN parses a signing profile ARN as the ECR API accepts it (the SigningProfileArn
// shape: its pattern and at most 200 characters). The error says which part is wrong.
func ParseProfileARN(s string) (ProfileARN, error) {
	if len(s) > MaxSigningProfileARNLen {
		return ProfileARN{}, fmt.Errorf("signing profile ARN is %d characters long, at most %d are allowed", len(s), MaxSigningProfileARNLen)
	}
	if signingProfileArnRE.MatchString(s) {
		parts := strings.SplitN(s, ":", 6)
		return ProfileARN{
			Partition: parts[1],
			Region:    parts[3],
			Account:   parts[4],
			Name:      strings.TrimPrefix(parts[5], "/signing-profiles/"),
		}, nil
	}
	return ProfileARN{}, errors.New(explainProfileARN(s))
}

// explainProfileARN says which part of an invalid signing profile ARN is wrong.
func explainProfileARN(s string) string {
	q := fmt.Sprintf("%q", s)
	if s == "" {
		return "signing profile ARN is empty"
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return q + " is not an ARN of the form arn:aws:signer:REGION:ACCOUNT:/signing-profiles/NAME"
	}
	switch {
	case !partitionOK(parts[1]):
		return fmt.Sprintf("%s: partition %q is not aws or aws-<name>", q, parts[1])
	case parts[2] != "signer":
		return fmt.Sprintf("%s: service is %q, a signing profile ARN has service signer", q, parts[2])
	case parts[3] == "" || strings.Trim(parts[3], "abcdefghijklmnopqrstuvwxyz0123456789-") != "":
		return fmt.Sprintf("%s: region %q must be lower-case letters, digits and hyphens", q, parts[3])
	case len(parts[4]) != 12 || strings.Trim(parts[4], "0123456789") != "":
		return fmt.Sprintf("%s: account %q must be 12 digits", q, parts[4])
	case !strings.HasPrefix(parts[5], "/signing-profiles/"):
		return fmt.Sprintf("%s: resource %q must start with /signing-profiles/", q, parts[5])
	}
	name := strings.TrimPrefix(parts[5], "/signing-profiles/")
	if len(name) < 2 {
		return fmt.Sprintf("%s: profile name %q must have at least 2 characters", q, name)
	}
	return fmt.Sprintf("%s: profile name %q may hold only letters, digits and _", q, name)
}

func partitionOK(p string) bool {
	if !strings.HasPrefix(p, "aws") {
		return false
	}
	rest := p[3:]
	for rest != "" {
		if rest[0] != '-' || len(rest) < 2 {
			return false
		}
		i := 1
		for i < len(rest) && rest[i] >= 'a' && rest[i] <= 'z' {
			i++
		}
		if i == 1 {
			return false
		}
		rest = rest[i:]
	}
	return true
}

// ValidateRepositoryName checks a repository name against the current ECR RepositoryName shape
// (2..256 characters, lower-case components separated by '/', joined by '.', '_', '__' or
// hyphens). The error says what is wrong.
func ValidateRepositoryName(name string) error {
	vs := CheckRepositoryName(name)
	if len(vs) == 0 {
		return nil
	}
	if name == "" {
		return errors.New("repository name is empty")
	}
	if n := len([]rune(name)); n < MinRepositoryNameLength {
		return fmt.Errorf("repository name %q is %d character long, at least %d are needed", name, n, MinRepositoryNameLength)
	} else if n > MaxRepositoryNameLength {
		return fmt.Errorf("repository name is %d characters long, at most %d are allowed", n, MaxRepositoryNameLength)
	}
	return fmt.Errorf("repository name %q is invalid: %s", name, explainName(name, repositoryName))
}

// nameKind is the grammar explainName explains.
type nameKind int

const (
	repositoryName    nameKind = iota // RepositoryName: no '*'; '.', '_', '__' or hyphens between components
	signingFilter                     // SigningRepositoryFilterValue: '*' allowed; one '.', '_' or '-' between parts
	replicationFilter                 // RepositoryFilterValue: a prefix, no '*'
)

// explainName says why a repository name or a filter does not match its pattern.
func explainName(s string, kind nameKind) string {
	for i, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			return fmt.Sprintf("upper-case %q at offset %d; names are lower case", r, i)
		case r == '*' && kind == replicationFilter:
			return fmt.Sprintf("%q at offset %d; replication filters are prefixes (PREFIX_MATCH) and cannot hold '*'", r, i)
		case r == '*' && kind == repositoryName:
			return fmt.Sprintf("%q at offset %d; repository names cannot hold wildcards", r, i)
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '*', r == '/', r == '.', r == '_', r == '-':
		default:
			allowed := "a-z, 0-9, '.', '_', '-' and '/'"
			if kind == signingFilter {
				allowed = "a-z, 0-9, '.', '_', '-', '/' and '*'"
			}
			return fmt.Sprintf("character %q at offset %d is not allowed (only %s)", r, i, allowed)
		}
	}
	comps := strings.Split(s, "/")
	for i, comp := range comps {
		last := i == len(comps)-1
		if comp == "" {
			switch {
			case kind == replicationFilter && last:
				continue // a prefix may end with '/'
			case i == 0:
				return "it starts with '/'"
			}
			return "it has an empty path component ('//' or a trailing '/')"
		}
		if kind == replicationFilter {
			// Separators may follow each other and end a component; a component before
			// a '/' must start with a letter or digit, the last one may start with anything.
			if !last && strings.IndexByte("._-", comp[0]) >= 0 {
				return fmt.Sprintf("component %q starts with a separator ('.', '_' or '-')", comp)
			}
			continue
		}
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
			if kind == signingFilter && len(run) > 1 {
				return fmt.Sprintf("component %q has %s in a row (%q); filters allow one '.', '_' or '-' between letters, digits and '*'", comp, separators(len(run)), run)
			}
			if kind == repositoryName && run != "_" && run != "__" && run != "." && strings.Trim(run, "-") != "" {
				return fmt.Sprintf("component %q has %s in a row (%q); names allow '.', '_', '__' or hyphens between letters and digits", comp, separators(len(run)), run)
			}
			j = k
		}
	}
	return "it does not match the pattern"
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
