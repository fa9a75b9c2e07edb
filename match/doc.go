// Package match compiles every rule and filter of a configuration into one matcher that
// answers which rules, and so which signing profiles, apply to a repository name.
//
// A [Matcher] is built once by [Compile] (or [CompileReplication] for PREFIX_MATCH filters),
// is immutable and safe for concurrent use, and matches without allocating for up to
// [MaxInlineRules] rules. Filters are deduplicated and indexed by their most selective literal:
// exact filters in a hash table, literal prefixes in a trie walked from the start of the name,
// literal suffixes in a trie walked from its end, and middle literals (`*prod*`, `*a*b*`) in
// one Aho-Corasick automaton; each candidate is verified in time linear in the name, so no
// input makes matching exponential, and compiling is bounded by a documented [Budget].
//
// [Matcher.Explain] says which filter made each rule apply, or which filter came closest and
// where it stopped, from the same compiled patterns; [Matcher.AppendCauses] names the first
// matching filter of every applying rule in one pass, without allocating.
// [Matcher.Analyze] decides exactly (as glob languages) which filters are redundant, which
// rules are shadowed, which filters match no valid repository name, and which rules overlap,
// as [rules.Finding] values (ECR4xx).
package match
