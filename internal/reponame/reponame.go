// Package reponame is the grammar of Amazon ECR repository names: the API model's pattern and
// length bounds, one byte machine that recognizes the pattern, and the explanation of why a
// name or a repository filter breaks it.
//
// Package rules checks and explains names and filters with it; package internal/glob walks
// the machine to decide whether a filter can match any valid name.
package reponame

// Pattern is the RepositoryName pattern of the ECR API model, verbatim; a name must match it
// as a whole.
const Pattern = `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*`

// Length bounds of the RepositoryName shape, in characters. A name that matches Pattern is
// ASCII, so they are bounds in bytes too.
const (
	MinLength = 2
	MaxLength = 256
)

// State is a state of the byte machine that recognizes Pattern: what the bytes read so far
// allow next.
type State uint8

// The machine's states. It is the minimal machine of the pattern: components of [a-z0-9] runs
// joined by '.', '_', "__" or one or more '-', separated by single '/'s.
const (
	Start   State = iota // at the start, or after '/', '.' or "__": a letter or digit must follow
	Alnum                // in a run of letters and digits: any separator or '/' may follow; a name may end here
	Under                // after one '_': a letter, a digit or a second '_'
	Hyphens              // in a run of '-': a letter, a digit or another '-'
	Dead                 // no continuation matches; Step stays here

	// Live is the number of states other than Dead, for tables indexed by state.
	Live = int(Dead)
)

// Step returns the state after reading c in state q.
func Step(q State, c byte) State {
	if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
		if q == Dead {
			return Dead
		}
		return Alnum
	}
	switch {
	case c == '-' && (q == Alnum || q == Hyphens):
		return Hyphens
	case c == '_' && q == Alnum:
		return Under
	case c == '_' && q == Under, (c == '.' || c == '/') && q == Alnum:
		return Start
	}
	return Dead
}

// Match reports whether s matches Pattern as a whole, in one pass over its bytes. It does
// not check the length (see Valid).
func Match(s string) bool {
	q := Start
	for i := 0; i < len(s) && q != Dead; i++ {
		q = Step(q, s[i])
	}
	return q == Alnum
}

// Valid reports whether s is a valid repository name: Pattern and MinLength..MaxLength.
func Valid(s string) bool {
	return len(s) >= MinLength && len(s) <= MaxLength && Match(s)
}
