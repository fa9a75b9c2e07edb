// Package match compiles every rule and filter of a configuration into one matcher that
// answers which rules, and so which signing profiles, apply to a repository name.
//
// A [Matcher] is built once by [Compile] (or [CompileReplication] for PREFIX_MATCH filters),
// is immutable in what it answers and safe for concurrent use, and matches without a per-call
// allocation (a [Result] holds up to [MaxInlineRules] rules inline, and beyond, its words come
// from a block the matcher allocates once per many calls). Every filter of every rule is compiled into one
// deterministic automaton, built lazily state by state up to a documented [Budget]
// (MaxDFABytes): a name is answered in one pass, one table step per byte, with no candidate to
// verify (a configuration of at most [DefaultMaxDirectPatterns] distinct filters is cheaper to
// check filter by filter, and is). Names that would need states beyond the budget are answered by an index engine
// (exact names in a hash table, literal prefixes and suffixes in tries, middle literals in an
// Aho-Corasick automaton, each candidate verified in time linear in the name), so no input
// makes matching exponential and compile time and memory stay bounded.
//
// A [Cause] is the one way the package names why a rule applies: the rule, the first of its
// filters that matches (index and text) and the rule's signing profile (index and ARN).
// [Matcher.AppendCauses] gives the cause of every applying rule in one pass, without
// allocating; [Matcher.Explain] builds on it, and says for each rule that does not apply which
// filter came closest and where it stopped, from the same compiled patterns.
// [Matcher.Analyze] decides exactly (as glob languages) which filters are redundant, which
// rules are shadowed, which filters match no valid repository name, and which rules overlap,
// as [rules.Finding] values (ECR4xx).
package match
