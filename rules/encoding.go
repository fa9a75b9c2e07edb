package rules

import "bytes"

// unicodeEncoding names the encoding of data when it is UTF-16 or UTF-32 text rather than
// UTF-8: by its byte-order mark, else by where the NUL bytes of its first characters fall,
// since a JSON or YAML configuration starts with ASCII characters (RFC 4627's heuristic).
// It returns "" for anything else.
func unicodeEncoding(data []byte) string {
	boms := []struct {
		bom  string
		name string
	}{
		{"\xff\xfe\x00\x00", "UTF-32LE"}, // before UTF-16LE, whose mark it starts with
		{"\x00\x00\xfe\xff", "UTF-32BE"},
		{"\xff\xfe", "UTF-16LE"},
		{"\xfe\xff", "UTF-16BE"},
	}
	for _, b := range boms {
		if bytes.HasPrefix(data, []byte(b.bom)) {
			return b.name
		}
	}
	if len(data) < 4 || len(data)%2 != 0 {
		return "" // UTF-16 and UTF-32 text has an even length, and a configuration more than a character
	}
	nul := func(i int) bool { return data[i] == 0 }
	switch {
	case !nul(0) && nul(1) && nul(2) && nul(3):
		return "UTF-32LE"
	case nul(0) && nul(1) && nul(2) && !nul(3):
		return "UTF-32BE"
	case !nul(0) && nul(1) && !nul(2) && nul(3):
		return "UTF-16LE"
	case nul(0) && !nul(1) && nul(2) && !nul(3):
		return "UTF-16BE"
	}
	return ""
}
