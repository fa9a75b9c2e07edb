package rules

import (
	"strings"

	"github.com/ecrsign/ecrsign/internal/source"
)

// parse parses data as JSON when it starts like JSON (isJSON), as YAML otherwise. A YAML
// flow mapping such as {rules: [...]} also starts with '{': when the JSON parser stops at a
// character that is no JSON at all there (an unquoted word, a single quote, a YAML tag) and
// the input is well-formed YAML, it is read as YAML and json comes back false. JSON errors
// that YAML would forgive but the AWS CLI would not (a trailing comma, a truncated
// document) stay JSON errors, as do all errors of inputs too large for YAML (yamlOK false).
// more is the position of a second YAML document, not read.
func parse(data []byte, isJSON, yamlOK bool, lim source.Limits) (root *source.Node, json bool, more *source.Pos, err error) {
	if !isJSON {
		root, more, err = source.ParseYAML(data, lim)
		return root, false, more, err
	}
	root, err = source.ParseJSON(data, lim)
	se, ok := err.(*source.Error)
	if !ok || !yamlOK || se.Limit || se.Offset >= len(data) || strings.IndexByte(",]}\"", data[se.Offset]) >= 0 {
		return root, true, nil, err
	}
	if yroot, ymore, yerr := source.ParseYAML(data, lim); yerr == nil && ymore == nil {
		return yroot, false, nil, nil
	}
	return nil, true, nil, err
}
