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

// TestDecodesExactly: where decodesExactly lets decodeBody skip exactMembers, the body
// decodes as the cleaned body does; the bodies SDKs send take the fast path, other
// spellings of member names do not.
func TestDecodesExactly(t *testing.T) {
	tests := []struct {
		typ  reflect.Type
		body string
		fast bool
	}{
		{reflect.TypeFor[*ecrapi.PutSigningConfigurationRequest](), `{"signingConfiguration":{"rules":[{"signingProfileArn":"y","repositoryFilters":[{"filter":"a*","filterType":"WILDCARD_MATCH"}]}]}}`, true},
		{reflect.TypeFor[*ecrapi.PutSigningConfigurationRequest](), `{"SigningConfiguration":{"rules":[]}}`, false},
		{reflect.TypeFor[*ecrapi.PutSigningConfigurationRequest](), `{"signingConfiguration":{"Rules":[]}}`, false},
		{reflect.TypeFor[*ecrapi.PutSigningConfigurationRequest](), `{"signingConfiguration":{"rules":[{"SigningProfileArn":"x","signingProfileArn":"y"}]}}`, false},
		{reflect.TypeFor[*ecrapi.PutSigningConfigurationRequest](), `{"signingConfiguration":null,"extra":1}`, true},
		{reflect.TypeFor[*ecrapi.PutSigningConfigurationRequest](), `{"signing\u0043onfiguration":{"rules":[]}}`, false},
		{reflect.TypeFor[*ecrapi.PutSigningConfigurationRequest](), `{"signingConfiguration":"x"}`, true},
		{reflect.TypeFor[*ecrapi.PutSigningConfigurationRequest](), `{"signingConfiguration":{"rules":[{"signingProfileArn":"a \"rules\": b"}]}}`, true},
		{reflect.TypeFor[*ecrapi.PutImageRequest](), `{"repositoryName":"team/app","imageTag":"v1","imageManifest":"{\"schemaVersion\":2,\"RepositoryName\":\"x\"}"}`, true},
		{reflect.TypeFor[*ecrapi.PutImageRequest](), `{"repositoryName":"team/app","ImageTag":"v1"}`, false},
		{reflect.TypeFor[*ecrapi.DescribeImageSigningStatusRequest](), `{"repositoryName":"team/app","imageId":{"imageDigest":"sha256:00"}}`, true},
		{reflect.TypeFor[*ecrapi.DescribeImageSigningStatusRequest](), `{"repositoryName":"team/app","imageId":{"ImageDigest":"sha256:00"}}`, false},
		{reflect.TypeFor[*ecrapi.DescribeImageSigningStatusRequest](), `{"repositoryName":"team/app","imageId":{"imageDigest":"sha256:00"`, true}, // the decoder reports it
	}
	for _, tt := range tests {
		fast := decodesExactly([]byte(tt.body), tt.typ)
		if fast != tt.fast {
			t.Errorf("decodesExactly(%s) = %v, want %v", tt.body, fast, tt.fast)
		}
		if !fast {
			continue
		}
		cleaned, err := exactMembers([]byte(tt.body), tt.typ)
		if err != nil {
			t.Fatal(err)
		}
		a, b := reflect.New(tt.typ.Elem()).Interface(), reflect.New(tt.typ.Elem()).Interface()
		errA, errB := json.Unmarshal([]byte(tt.body), a), json.Unmarshal(cleaned, b)
		if (errA == nil) != (errB == nil) || !reflect.DeepEqual(a, b) {
			t.Errorf("%s decodes to %+v (%v), cleaned to %+v (%v)", tt.body, a, errA, b, errB)
		}
	}
}
