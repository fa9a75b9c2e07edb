package sim

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

func TestPutSigningConfiguration(t *testing.T) {
	long := make([]rules.SigningRule, 11)
	for i := range long {
		long[i] = rule(profProd)
	}
	tests := []struct {
		name     string
		req      *ecrapi.PutSigningConfigurationRequest
		code     string
		message  string // exact when code is set
		contains string
	}{
		{name: "one rule", req: &ecrapi.PutSigningConfigurationRequest{SigningConfiguration: signing(rule(profProd, "team/*"))}},
		{name: "empty rules sign nothing", req: &ecrapi.PutSigningConfigurationRequest{SigningConfiguration: signing()}},
		{name: "cross-account profile", req: &ecrapi.PutSigningConfigurationRequest{SigningConfiguration: signing(rule(profShared))}},
		{name: "nil request", req: nil, code: "ValidationException",
			message: "1 validation error detected: Value null at 'signingConfiguration' failed to satisfy constraint: Member must not be null"},
		{name: "missing rules", req: &ecrapi.PutSigningConfigurationRequest{SigningConfiguration: &rules.SigningConfiguration{}}, code: "ValidationException",
			message: "1 validation error detected: Value null at 'signingConfiguration.rules' failed to satisfy constraint: Member must not be null"},
		{name: "upper-case filter", req: &ecrapi.PutSigningConfigurationRequest{SigningConfiguration: signing(rule(profProd, "Team/*"))}, code: "ValidationException",
			message: "1 validation error detected: Value 'Team/*' at 'signingConfiguration.rules.1.member.repositoryFilters.1.member.filter' failed to satisfy constraint: Member must satisfy regular expression pattern: " + rules.SigningFilterPattern},
		{name: "two errors", req: &ecrapi.PutSigningConfigurationRequest{SigningConfiguration: signing(rule(profProd, "ok"), rule("arn:aws:signer:us-east-1:123456789012:/signing-profiles/my-profile", "a--b"))}, code: "ValidationException",
			contains: "2 validation errors detected: Value 'arn:aws:signer:us-east-1:123456789012:/signing-profiles/my-profile' at 'signingConfiguration.rules.2.member.signingProfileArn'"},
		{name: "eleven rules", req: &ecrapi.PutSigningConfigurationRequest{SigningConfiguration: signing(long...)}, code: "ValidationException",
			contains: "at 'signingConfiguration.rules' failed to satisfy constraint: Member must have length less than or equal to 10"},
		{name: "cross-region profile", req: &ecrapi.PutSigningConfigurationRequest{SigningConfiguration: signing(rule(profProd), rule(profWest, "*"))}, code: "ValidationException",
			message: "The region of signing profile ARN " + profWest + " is 'us-west-2' but must be 'us-east-1'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, c := newTestWorld()
			out, err := c.PutSigningConfiguration(tt.req)
			if tt.code == "" {
				out = must(out, err)(t)
				if !reflect.DeepEqual(out.SigningConfiguration, tt.req.SigningConfiguration) {
					t.Fatalf("response %+v, want %+v", out.SigningConfiguration, tt.req.SigningConfiguration)
				}
				got := must(c.GetSigningConfiguration(nil))(t)
				if !reflect.DeepEqual(got.SigningConfiguration, tt.req.SigningConfiguration) || got.RegistryID != DefaultAccount {
					t.Fatalf("get = %+v", got)
				}
				return
			}
			wantAPIError(t, err, tt.code, tt.contains)
			if tt.message != "" && err.(*ecrapi.Error).ErrorMessage() != tt.message {
				t.Fatalf("message\n got %q\nwant %q", err.(*ecrapi.Error).ErrorMessage(), tt.message)
			}
			if _, err := c.GetSigningConfiguration(nil); err == nil {
				t.Fatal("a rejected configuration was stored")
			}
		})
	}
}

func TestPutSigningConfigurationCopiesInput(t *testing.T) {
	_, _, c := newTestWorld()
	cfg := signing(rule(profProd, "team/*"))
	must(c.PutSigningConfiguration(&ecrapi.PutSigningConfigurationRequest{SigningConfiguration: cfg}))(t)
	cfg.Rules[0].RepositoryFilters[0].Filter = "other"
	got := must(c.GetSigningConfiguration(nil))(t)
	if got.SigningConfiguration.Rules[0].RepositoryFilters[0].Filter != "team/*" {
		t.Fatal("the world shares the caller's configuration")
	}
	got.SigningConfiguration.Rules[0].SigningProfileArn = "x"
	if again := must(c.GetSigningConfiguration(nil))(t); again.SigningConfiguration.Rules[0].SigningProfileArn != profProd {
		t.Fatal("Get returns the world's own configuration")
	}
}

func TestGetAndDeleteSigningConfiguration(t *testing.T) {
	w, _, c := newTestWorld()
	_, err := c.GetSigningConfiguration(nil)
	wantAPIError(t, err, "SigningConfigurationNotFoundException", "registry with id '123456789012'")
	_, err = c.DeleteSigningConfiguration(nil)
	wantAPIError(t, err, "SigningConfigurationNotFoundException", "")

	cfg := signing(rule(profProd))
	must(c.PutSigningConfiguration(&ecrapi.PutSigningConfigurationRequest{SigningConfiguration: cfg}))(t)
	// Another region of the same account has its own configuration.
	west := w.client(Caller{Region: "us-west-2"})
	_, err = west.GetSigningConfiguration(nil)
	wantAPIError(t, err, "SigningConfigurationNotFoundException", "us-west-2")

	del := must(c.DeleteSigningConfiguration(nil))(t)
	if del.RegistryID != DefaultAccount || !reflect.DeepEqual(del.SigningConfiguration, cfg) {
		t.Fatalf("delete returned %+v", del)
	}
	_, err = c.GetSigningConfiguration(nil)
	wantAPIError(t, err, "SigningConfigurationNotFoundException", "")
}

func TestCallerValidation(t *testing.T) {
	w, _, _ := newTestWorld()
	bad := w.client(Caller{Account: "12345"})
	_, err := bad.DeleteSigningConfiguration(nil)
	wantAPIError(t, err, "ValidationException", "'12345'")
	_, err = bad.CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: "ab"})
	wantAPIError(t, err, "InvalidParameterException", "'12345'")
	_, err = w.client(Caller{Region: "US_EAST"}).GetSigningConfiguration(nil)
	wantAPIError(t, err, "ValidationException", "US_EAST")
}

func TestPutReplicationConfiguration(t *testing.T) {
	many := rules.ReplicationRule{}
	for i := 0; i < 26; i++ {
		many.Destinations = append(many.Destinations, dest("123456789012", "eu-west-"+string(rune('a'+i))))
	}
	tests := []struct {
		name     string
		cfg      *rules.ReplicationConfiguration
		code     string
		contains string
	}{
		{name: "two rules", cfg: &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{
			replRule([]string{"team"}, dest("123456789012", "us-west-2")),
			replRule(nil, dest("210987654321", "us-east-1")),
		}}},
		{name: "empty", cfg: &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{}}},
		{name: "nil", cfg: nil, code: "ValidationException", contains: "Value null at 'replicationConfiguration'"},
		{name: "one-character filter", cfg: &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{replRule([]string{"t"}, dest("123456789012", "us-west-2"))}},
			code: "ValidationException", contains: "Value 't' at 'replicationConfiguration.rules.1.member.repositoryFilters.1.member.filter' failed to satisfy constraint: Member must have length greater than or equal to 2"},
		{name: "source as destination", cfg: &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{replRule(nil, dest("123456789012", "us-west-2"), dest("123456789012", "us-east-1"))}},
			code: "InvalidParameterException", contains: "'replicationConfiguration.rules.1.member.destinations.2.member'"},
		{name: "26 destinations", cfg: &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{many}},
			code: "InvalidParameterException", contains: "26 distinct destinations; at most 25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, c := newTestWorld()
			out, err := c.PutReplicationConfiguration(&ecrapi.PutReplicationConfigurationRequest{ReplicationConfiguration: tt.cfg})
			if tt.code != "" {
				wantAPIError(t, err, tt.code, tt.contains)
				reg := must(c.DescribeRegistry(nil))(t)
				if len(reg.ReplicationConfiguration.Rules) != 0 {
					t.Fatal("a rejected configuration was stored")
				}
				return
			}
			out = must(out, err)(t)
			if !reflect.DeepEqual(out.ReplicationConfiguration, tt.cfg) {
				t.Fatalf("response %+v", out)
			}
			reg := must(c.DescribeRegistry(nil))(t)
			if reg.RegistryID != DefaultAccount || !reflect.DeepEqual(reg.ReplicationConfiguration, tt.cfg) {
				t.Fatalf("DescribeRegistry = %+v", reg)
			}
		})
	}
}

func TestCreateRepository(t *testing.T) {
	tests := []struct {
		name     string
		req      *ecrapi.CreateRepositoryRequest
		code     string
		contains string
	}{
		{name: "namespaced", req: &ecrapi.CreateRepositoryRequest{RepositoryName: "team/api"}},
		{name: "double underscore", req: &ecrapi.CreateRepositoryRequest{RepositoryName: "team/my__api", ImageTagMutability: ecrapi.TagImmutable}},
		{name: "other account", req: &ecrapi.CreateRepositoryRequest{RepositoryName: "team/api", RegistryID: "210987654321"}, code: "AccessDeniedException", contains: "is not authorized to perform: ecr:CreateRepository on resource: arn:aws:ecr:us-east-1:210987654321:repository/team/api"},
		{name: "own account named", req: &ecrapi.CreateRepositoryRequest{RepositoryName: "team/api", RegistryID: DefaultAccount}},
		{name: "nil", req: nil, code: "InvalidParameterException", contains: "Value null at 'repositoryName' failed to satisfy constraint: Member must not be null"},
		{name: "upper case", req: &ecrapi.CreateRepositoryRequest{RepositoryName: "Team/api"}, code: "InvalidParameterException",
			contains: "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''"},
		{name: "too long", req: &ecrapi.CreateRepositoryRequest{RepositoryName: strings.Repeat("a", 257)}, code: "InvalidParameterException", contains: "length less than or equal to 256"},
		{name: "bad registry id", req: &ecrapi.CreateRepositoryRequest{RepositoryName: "ab", RegistryID: "12"}, code: "InvalidParameterException", contains: "Invalid parameter at 'registryId' failed to satisfy constraint: 'must satisfy regular expression '[0-9]{12}''"},
		{name: "bad mutability", req: &ecrapi.CreateRepositoryRequest{RepositoryName: "ab", ImageTagMutability: "SOMETIMES"}, code: "InvalidParameterException", contains: "Member must satisfy enum value set"},
		{name: "exclusions not modelled", req: &ecrapi.CreateRepositoryRequest{RepositoryName: "ab", ImageTagMutability: "IMMUTABLE_WITH_EXCLUSION"}, code: "InvalidParameterException", contains: "not modelled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, c := newTestWorld()
			out, err := c.CreateRepository(tt.req)
			if tt.code != "" {
				wantAPIError(t, err, tt.code, tt.contains)
				return
			}
			r := must(out, err)(t).Repository
			account := tt.req.RegistryID
			if account == "" {
				account = DefaultAccount
			}
			want := &ecrapi.Repository{
				CreatedAt: &ecrapi.Timestamp{Time: t0}, ImageTagMutability: ecrapi.TagMutable, RegistryID: account,
				RepositoryArn:  "arn:aws:ecr:us-east-1:" + account + ":repository/" + tt.req.RepositoryName,
				RepositoryName: tt.req.RepositoryName,
				RepositoryURI:  account + ".dkr.ecr.us-east-1.amazonaws.com/" + tt.req.RepositoryName,
			}
			if tt.req.ImageTagMutability != "" {
				want.ImageTagMutability = tt.req.ImageTagMutability
			}
			if !reflect.DeepEqual(r, want) {
				t.Fatalf("got %+v\nwant %+v", r, want)
			}
			_, err = c.CreateRepository(tt.req)
			wantAPIError(t, err, "RepositoryAlreadyExistsException", "'"+tt.req.RepositoryName+"' already exists in the registry with id '"+account+"'")
		})
	}
}

func TestPutImageErrors(t *testing.T) {
	m := manifest(1)
	tests := []struct {
		name     string
		req      *ecrapi.PutImageRequest
		code     string
		contains string
	}{
		{name: "nil", req: nil, code: "InvalidParameterException", contains: "Value null at 'repositoryName'"},
		{name: "no manifest", req: &ecrapi.PutImageRequest{RepositoryName: "team/api"}, code: "InvalidParameterException", contains: "Value null at 'imageManifest'"},
		{name: "bad repository name", req: &ecrapi.PutImageRequest{RepositoryName: "team//api", ImageManifest: m}, code: "InvalidParameterException", contains: "at 'repositoryName'"},
		{name: "unknown repository", req: &ecrapi.PutImageRequest{RepositoryName: "team/web", ImageManifest: m}, code: "RepositoryNotFoundException",
			contains: "The repository with name 'team/web' does not exist in the registry with id '123456789012'"},
		{name: "tag too long", req: &ecrapi.PutImageRequest{RepositoryName: "team/api", ImageManifest: m, ImageTag: strings.Repeat("t", 301)}, code: "InvalidParameterException", contains: "at 'imageTag'"},
		{name: "manifest not JSON", req: &ecrapi.PutImageRequest{RepositoryName: "team/api", ImageManifest: "{"}, code: "InvalidParameterException", contains: "'imageManifest'"},
		{name: "no media type", req: &ecrapi.PutImageRequest{RepositoryName: "team/api", ImageManifest: `{"schemaVersion":2}`}, code: "InvalidParameterException", contains: "imageManifestMediaType must be given"},
		{name: "media types differ", req: &ecrapi.PutImageRequest{RepositoryName: "team/api", ImageManifest: m, ImageManifestMediaType: ecrapi.MediaTypeDockerManifest}, code: "InvalidParameterException", contains: "differs"},
		{name: "unsupported media type", req: &ecrapi.PutImageRequest{RepositoryName: "team/api", ImageManifest: `{"schemaVersion":2}`, ImageManifestMediaType: "text/plain"}, code: "InvalidParameterException", contains: "unsupported media type"},
		{name: "digest mismatch", req: &ecrapi.PutImageRequest{RepositoryName: "team/api", ImageManifest: m, ImageDigest: ecrapi.Digest(manifest(2))}, code: "ImageDigestDoesNotMatchException", contains: ecrapi.Digest(m)},
		{name: "index of missing manifests", req: &ecrapi.PutImageRequest{RepositoryName: "team/api", ImageManifest: index(ecrapi.Digest(manifest(3)))}, code: "ReferencedImagesNotFoundException", contains: ecrapi.Digest(manifest(3))},
		{name: "bad registry id", req: &ecrapi.PutImageRequest{RepositoryName: "team/api", ImageManifest: m, RegistryID: "abc"}, code: "InvalidParameterException", contains: "'registryId'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, c := newTestWorld()
			createRepo(t, c, "team/api")
			_, err := c.PutImage(tt.req)
			wantAPIError(t, err, tt.code, tt.contains)
		})
	}
}

func TestPutImageImmutableTag(t *testing.T) {
	_, _, c := newTestWorld()
	must(c.CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: "team/api", ImageTagMutability: ecrapi.TagImmutable}))(t)
	must(c.PutImage(&ecrapi.PutImageRequest{RepositoryName: "team/api", ImageManifest: manifest(1), ImageTag: "v1"}))(t)
	// The same manifest under the same tag is refused by PutImage (ImageAlreadyExistsException),
	// not an overwrite, and pushed again by the registry protocol.
	_, err := c.PutImage(&ecrapi.PutImageRequest{RepositoryName: "team/api", ImageManifest: manifest(1), ImageTag: "v1"})
	wantAPIError(t, err, ecrapi.ImageAlreadyExistsException, "Image with digest '"+ecrapi.Digest(manifest(1))+"' and tag 'v1' already exists in the repository with name 'team/api'")
	repush(t, c, "team/api", 1, "v1")
	_, err = c.PutImage(&ecrapi.PutImageRequest{RepositoryName: "team/api", ImageManifest: manifest(2), ImageTag: "v1"})
	wantAPIError(t, err, "ImageTagAlreadyExistsException", "The image tag 'v1' already exists in the 'team/api' repository")
}

func TestPutImageMutableTagMoves(t *testing.T) {
	_, _, c := newTestWorld()
	createRepo(t, c, "team/api")
	must(c.PutImage(&ecrapi.PutImageRequest{RepositoryName: "team/api", ImageManifest: manifest(1), ImageTag: "latest"}))(t)
	must(c.PutImage(&ecrapi.PutImageRequest{RepositoryName: "team/api", ImageManifest: manifest(2), ImageTag: "latest"}))(t)
	out := must(c.DescribeImageSigningStatus(&ecrapi.DescribeImageSigningStatusRequest{RepositoryName: "team/api", ImageID: &ecrapi.ImageIdentifier{ImageTag: "latest"}}))(t)
	if out.ImageID.ImageDigest != ecrapi.Digest(manifest(2)) {
		t.Fatalf("latest is on %s", out.ImageID.ImageDigest)
	}
}

func TestCreateRepositoryOnPush(t *testing.T) {
	_, _, c := newTestWorld(WithOptions(Options{CreateRepositoryOnPush: true}))
	out := must(c.PutImage(&ecrapi.PutImageRequest{RepositoryName: "new/repo", ImageManifest: manifest(1)}))(t)
	if out.Image.ImageID.ImageDigest != ecrapi.Digest(manifest(1)) || out.Image.RepositoryName != "new/repo" {
		t.Fatalf("image %+v", out.Image)
	}
	_, err := c.CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: "new/repo"})
	wantAPIError(t, err, "RepositoryAlreadyExistsException", "")
}

func TestDescribeErrors(t *testing.T) {
	tests := []struct {
		name     string
		repo     string
		id       *ecrapi.ImageIdentifier
		registry string
		code     string
		contains string
	}{
		{name: "no image id", repo: "team/api", code: "ValidationException", contains: "1 validation error detected: Value null at 'imageId' failed to satisfy constraint: Member must not be null"},
		{name: "empty image id", repo: "team/api", id: &ecrapi.ImageIdentifier{}, code: "InvalidParameterException", contains: "imageDigest, imageTag"},
		{name: "bad name and no id", repo: "a", code: "ValidationException", contains: "1 validation error detected: Value null at 'imageId' failed to satisfy constraint: Member must not be null"},
		{name: "short name", repo: "a", id: &ecrapi.ImageIdentifier{ImageTag: "v1"}, code: "InvalidParameterException", contains: "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length greater than or equal to 2'"},
		{name: "bad name", repo: "Team/api", id: &ecrapi.ImageIdentifier{ImageTag: "v1"}, code: "InvalidParameterException", contains: "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''"},
		{name: "malformed digest", repo: "team/api", id: &ecrapi.ImageIdentifier{ImageDigest: "sha256:xyz"}, code: "InvalidParameterException", contains: "'imageId.imageDigest'"},
		{name: "bad registry id", repo: "team/api", id: &ecrapi.ImageIdentifier{ImageTag: "v1"}, registry: "1", code: "InvalidParameterException", contains: "Invalid parameter at 'registryId' failed to satisfy constraint: 'must satisfy regular expression '[0-9]{12}''"},
		{name: "unknown repository", repo: "team/web", id: &ecrapi.ImageIdentifier{ImageTag: "v1"}, code: "RepositoryNotFoundException", contains: "'team/web'"},
		{name: "unknown tag", repo: "team/api", id: &ecrapi.ImageIdentifier{ImageTag: "v2"}, code: "ImageNotFoundException",
			contains: "The image with imageId {imageDigest:'null', imageTag:'v2'} does not exist within the repository with name 'team/api' in the registry with id '123456789012'"},
		{name: "unknown digest", repo: "team/api", id: &ecrapi.ImageIdentifier{ImageDigest: ecrapi.Digest(manifest(9))}, code: "ImageNotFoundException", contains: "imageTag:'null'"},
		{name: "tag and digest disagree", repo: "team/api", id: &ecrapi.ImageIdentifier{ImageTag: "v1", ImageDigest: ecrapi.Digest(manifest(9))}, code: "ImageNotFoundException", contains: ""},
		{name: "tag of 300 characters", repo: "team/api", id: &ecrapi.ImageIdentifier{ImageTag: strings.Repeat("t", 300)}, code: "ImageNotFoundException", contains: "imageTag:'ttt"},
		{name: "tag of 300 two-byte characters", repo: "team/api", id: &ecrapi.ImageIdentifier{ImageTag: strings.Repeat("é", 300)}, code: "ImageNotFoundException", contains: ""},
		{name: "tag of 301 characters", repo: "team/api", id: &ecrapi.ImageIdentifier{ImageTag: strings.Repeat("t", 301)}, code: "ValidationException",
			contains: "1 validation error detected: Value '" + strings.Repeat("t", 301) + "' at 'imageId.imageTag' failed to satisfy constraint: Member must have length less than or equal to 300"},
		{name: "long tag and bad name", repo: "A", id: &ecrapi.ImageIdentifier{ImageTag: strings.Repeat("t", 301)}, code: "ValidationException", contains: "1 validation error detected: Value 'tttt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, c := newTestWorld()
			createRepo(t, c, "team/api")
			must(c.PutImage(&ecrapi.PutImageRequest{RepositoryName: "team/api", ImageManifest: manifest(1), ImageTag: "v1"}))(t)
			_, err := c.DescribeImageSigningStatus(&ecrapi.DescribeImageSigningStatusRequest{RepositoryName: tt.repo, ImageID: tt.id, RegistryID: tt.registry})
			wantAPIError(t, err, tt.code, tt.contains)
			_, err = c.DescribeImageReplicationStatus(&ecrapi.DescribeImageReplicationStatusRequest{RepositoryName: tt.repo, ImageID: tt.id, RegistryID: tt.registry})
			wantAPIError(t, err, tt.code, tt.contains)
		})
	}
	_, _, c := newTestWorld()
	_, err := c.DescribeImageSigningStatus(nil)
	wantAPIError(t, err, "ValidationException", "Value null at 'repositoryName'")
	_, err = c.DescribeImageReplicationStatus(nil)
	wantAPIError(t, err, "ValidationException", "Value null at 'imageId'")
}

func TestResponsesMarshalAsTheAPI(t *testing.T) {
	_, _, c := newTestWorld()
	createRepo(t, c, "team/api")
	must(c.PutImage(&ecrapi.PutImageRequest{RepositoryName: "team/api", ImageManifest: manifest(1), ImageTag: "v1"}))(t)
	out := must(c.DescribeImageSigningStatus(&ecrapi.DescribeImageSigningStatusRequest{RepositoryName: "team/api", ImageID: &ecrapi.ImageIdentifier{ImageTag: "v1"}}))(t)
	b, _ := json.Marshal(out)
	want := `{"repositoryName":"team/api","imageId":{"imageDigest":"` + ecrapi.Digest(manifest(1)) + `","imageTag":"v1"},"registryId":"123456789012","signingStatuses":[]}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
	repo := must(c.CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: "team/web"}))(t)
	b, _ = json.Marshal(repo)
	if !strings.Contains(string(b), `"createdAt":1767323045.000`) {
		t.Fatalf("createdAt is not epoch seconds: %s", b)
	}
	var back ecrapi.CreateRepositoryResponse
	if err := json.Unmarshal(b, &back); err != nil || !back.Repository.CreatedAt.Equal(t0) {
		t.Fatalf("round trip: %v %v", err, back.Repository.CreatedAt)
	}
	e := &ecrapi.Error{Code: ecrapi.SigningConfigurationNotFoundException, Message: "m"}
	b, _ = json.Marshal(e)
	if string(b) != `{"message":"m"}` || e.HTTPStatusCode() != 400 || (&ecrapi.Error{Code: ecrapi.ServerException}).HTTPStatusCode() != 500 {
		t.Fatalf("error body %s", b)
	}
}
