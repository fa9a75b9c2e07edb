package sim

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

// ECR's own wording for its older members' constraints, as real InvalidParameterException
// messages show them.
const (
	registryIDConstraint     = "'must satisfy regular expression '[0-9]{12}''"
	repositoryNameConstraint = "'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''"
)

// invalidParameter is ECR's InvalidParameterException for one member in its own wording.
func invalidParameter(member, constraint string) error {
	return newError(ecrapi.InvalidParameterException, "Invalid parameter at '%s' failed to satisfy constraint: %s", member, constraint)
}

// checkRepositoryMembers checks the registryId and repositoryName members ECR's older
// operations share: an absent repositoryName is a null violation, a malformed one or a
// malformed registryId is InvalidParameterException in ECR's own wording.
func checkRepositoryMembers(op, registryID, name string) error {
	if name == "" {
		return memberNull(op, "repositoryName")
	}
	if registryID != "" && !validRegistryID(registryID) {
		return invalidParameter("registryId", registryIDConstraint)
	}
	return checkRepositoryName(name)
}

// checkRepositoryName checks a present repositoryName in ECR's own wording.
func checkRepositoryName(name string) error {
	if len(rules.CheckRepositoryName(name)) == 0 {
		return nil
	}
	switch n := utf8.RuneCountInString(name); {
	case n < rules.MinRepositoryNameLength:
		return invalidParameter("repositoryName", fmt.Sprintf("'must have length greater than or equal to %d'", rules.MinRepositoryNameLength))
	case n > rules.MaxRepositoryNameLength:
		return invalidParameter("repositoryName", fmt.Sprintf("'must have length less than or equal to %d'", rules.MaxRepositoryNameLength))
	}
	return invalidParameter("repositoryName", repositoryNameConstraint)
}

// access returns the registry a request addresses: its registryId member, else the caller's
// account. A registry of another account is refused as ECR refuses a caller without a
// repository policy granting it (the simulator models none); w.mu held.
func (c *client) access(op, registryID, resource string) (registryKey, error) {
	k := c.key(registryID)
	if k.account != c.caller.Account {
		return k, newError(ecrapi.AccessDeniedException, "User: %s is not authorized to perform: ecr:%s on resource: arn:aws:ecr:%s:%s:repository/%s because no resource-based policy allows the ecr:%s action", c.caller.Principal, op, k.region, k.account, resource, op)
	}
	return k, nil
}

// repo returns the repository a request names, or RepositoryNotFoundException; w.mu held.
func (c *client) repo(op, registryID, name string) (registryKey, *repository, error) {
	if err := checkRepositoryMembers(op, registryID, name); err != nil {
		return registryKey{}, nil, err
	}
	k, err := c.access(op, registryID, name)
	if err != nil {
		return k, nil, err
	}
	var repo *repository
	if reg := c.w.registries[k]; reg != nil {
		repo = reg.repos[name]
	}
	if repo == nil {
		return k, nil, noRepository(k, name)
	}
	return k, repo, nil
}

// checkDigest checks an imageDigest member: InvalidParameterException when malformed.
func checkDigest(member, d string) error {
	if d == "" || validDigest(d) {
		return nil
	}
	return invalidParameter(member, "'must be a sha256 digest: sha256: followed by 64 lower-case hexadecimal digits'")
}

// pageSize checks an optional maxResults member against [1, max].
func pageSize(op string, maxResults *int32, def, max int) (int, error) {
	if maxResults == nil {
		return def, nil
	}
	n := int(*maxResults)
	switch {
	case n < 1:
		return 0, invalidRequest(op, fmt.Sprintf("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1", n))
	case n > max:
		return 0, invalidRequest(op, fmt.Sprintf("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to %d", n, max))
	}
	return n, nil
}

// paginate returns the page of items (sorted by key, keys distinct) after the position
// token names, and the token of the next page ("" on the last). A token is the opaque
// encoding of the last key returned, so pages stay stable while items are added or removed.
func paginate[T any](items []T, key func(T) string, token string, size int) ([]T, string, error) {
	start := 0
	if token != "" {
		b, err := base64.RawURLEncoding.DecodeString(token)
		after, ok := strings.CutPrefix(string(b), "ecrsign:")
		if err != nil || !ok {
			return nil, "", invalidParameter("nextToken", "'is not a token this registry returned'")
		}
		start, _ = slices.BinarySearchFunc(items, after, func(t T, k string) int { return cmp.Compare(key(t), k) })
		if start < len(items) && key(items[start]) == after {
			start++
		}
	}
	end := min(start+size, len(items))
	page := items[start:end]
	next := ""
	if end < len(items) {
		next = base64.RawURLEncoding.EncodeToString([]byte("ecrsign:" + key(items[end-1])))
	}
	return page, next, nil
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
