package rules

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ecrsign/ecrsign/internal/reponame"
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
	return fmt.Errorf("repository name %q is invalid: %s", name, reponame.Explain(name, reponame.Name))
}
