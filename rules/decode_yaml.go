package rules

import (
	"strings"

	"github.com/ecrsign/ecrsign/internal/source"
)

// parse parses data as JSON when it starts like JSON (isJSON), as YAML otherwise: the one
// place where YAML is converted, once, into the tree every format's reader works on
// (CloudFormation's short-form tags stay tagged values there; intrinsicCall reads them as the
// long forms). A YAML flow mapping such as {rules: [...]} also starts with '{': when the JSON
// parser stops at a character that is no JSON at all there (an unquoted word, a single quote,
// a YAML tag) and the input is well-formed YAML, it is read as YAML and json comes back
// false. JSON errors that YAML would forgive but the AWS CLI would not (a trailing comma, a
// truncated document) stay JSON errors, as do all errors of inputs too large for YAML (yamlOK
// false). more is the position of a second YAML document, not read.
func parse(data []byte, isJSON, yamlOK bool, lim source.Limits) (root *source.Node, json bool, more *source.Pos, err error) {
	var jsonErr error
	if isJSON {
		root, jsonErr = source.ParseJSON(data, lim)
		if !yamlOK || !notJSONAtAll(jsonErr, data) {
			return root, true, nil, jsonErr
		}
	}
	root, more, err = source.ParseYAML(data, lim)
	if isJSON && (err != nil || more != nil) {
		return nil, true, nil, jsonErr // not YAML either: the JSON error says more
	}
	return root, false, more, err
}

// notJSONAtAll reports whether err stops the JSON parser at a character that is no JSON at
// all where it stands (an unquoted word, a single quote, a YAML tag), rather than at a JSON
// mistake (a trailing comma, a truncated document) or a limit.
func notJSONAtAll(err error, data []byte) bool {
	se, ok := err.(*source.Error)
	return ok && !se.Limit && se.Offset < len(data) && strings.IndexByte(",]}\"", data[se.Offset]) < 0
}
