// Package match compiles every rule and filter of a configuration into one matcher that
// answers which rules, and so which signing profiles, apply to a repository name.
//
// A [Matcher] is built once by [Compile], is immutable and safe for concurrent use, and
// matches without allocating; [Matcher.Explain] says which filter made each rule apply.
package match
