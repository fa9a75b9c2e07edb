package rules

import (
	"github.com/ecrsign/ecrsign/internal/source"
)

// decodeAPI reads an API request, response or bare configuration.
func decodeAPI(doc *Document, root *source.Node, f Format, b *findingBudget) {
	kind := KindSigning
	member := "signingConfiguration"
	if root.Lookup("replicationConfiguration") != nil && root.Lookup("signingConfiguration") == nil {
		kind, member = KindReplication, "replicationConfiguration"
	}
	if f == FormatBare && isReplicationRules(root.Lookup("rules")) {
		kind = KindReplication
	}
	c, d := newConfig(doc.File, "", f, kind, styleAPI, b)
	doc.Configs = append(doc.Configs, c)
	body := root
	if f != FormatBare {
		// The envelope: report its unknown members, then decode the configuration.
		env, _ := newConfig(doc.File, "", f, kind, styleAPI, b)
		ed := &decoder{c: env, style: styleAPI}
		allowed := []string{member}
		if f == FormatAPIResponse {
			allowed = append(allowed, "registryId", "ResponseMetadata")
		}
		ed.object(root, "", allowed...)
		doc.Findings = append(doc.Findings, env.Findings...)
		body = root.Lookup(member)
	}
	if kind == KindReplication {
		d.replication(body)
	} else {
		d.signing(body)
	}
}

func isReplicationRules(n *source.Node) bool {
	if n == nil || n.Kind != source.Array {
		return false
	}
	for _, it := range n.Items {
		if it.Lookup("destinations") != nil {
			return true
		}
	}
	return false
}
