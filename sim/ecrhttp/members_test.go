package ecrhttp

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

func TestExactMembers(t *testing.T) {
	type req = ecrapi.PutSigningConfigurationRequest
	tests := []struct {
		name, body, want string
	}{
		{"exact", `{"signingConfiguration":{"rules":[]}}`, `{"signingConfiguration":{"rules":[]}}`},
		{"other case at the top", `{"SigningConfiguration":{"rules":[]}}`, `{}`},
		{"other case nested", `{"signingConfiguration":{"Rules":[]}}`, `{"signingConfiguration":{}}`},
		{"other case in a list", `{"signingConfiguration":{"rules":[{"SigningProfileArn":"x","signingProfileArn":"y"}]}}`, `{"signingConfiguration":{"rules":[{"signingProfileArn":"y"}]}}`},
		{"unknown member", `{"signingConfiguration":null,"extra":1}`, `{"signingConfiguration":null}`},
		{"wrong kind left to the decoder", `{"signingConfiguration":"x"}`, `{"signingConfiguration":"x"}`},
		{"not an object", `[1]`, `[1]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := exactMembers([]byte(tt.body), reflect.TypeFor[*req]())
			if err != nil {
				t.Fatal(err)
			}
			var g, w any
			if json.Unmarshal(got, &g) != nil || json.Unmarshal([]byte(tt.want), &w) != nil || !reflect.DeepEqual(g, w) {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
		})
	}
}
