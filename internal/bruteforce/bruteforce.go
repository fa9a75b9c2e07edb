// Package bruteforce enumerates every string over a small alphabet up to a length, for tests
// that hold a fast algorithm to an exhaustive oracle. It is shared by the tests of
// internal/reponame, internal/glob and rules so that each enumerates strings the same way.
package bruteforce

import "iter"

// Strings yields every string over the bytes of alphabet of length 0 to maxLen: shorter
// strings first, those of one length in the order of alphabet (as an odometer turns).
func Strings(alphabet string, maxLen int) iter.Seq[string] {
	return func(yield func(string) bool) {
		if !yield("") {
			return
		}
		if alphabet == "" {
			return
		}
		for n := 1; n <= maxLen; n++ {
			digits := make([]int, n)
			word := make([]byte, n)
			for i := range word {
				word[i] = alphabet[0]
			}
			for {
				if !yield(string(word)) {
					return
				}
				if !advance(alphabet, digits, word) {
					break
				}
			}
		}
	}
}

// advance turns the odometer word (digits[i] is the index in alphabet of word[i]) to the
// next string of its length; false when word was the last.
func advance(alphabet string, digits []int, word []byte) bool {
	for i := len(word) - 1; i >= 0; i-- {
		if digits[i] < len(alphabet)-1 {
			digits[i]++
			word[i] = alphabet[digits[i]]
			return true
		}
		digits[i], word[i] = 0, alphabet[0]
	}
	return false
}
