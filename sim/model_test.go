package sim

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

// TestOperationErrorsMatchTheModel checks the error table against the ECR API model
// in testdata (botocore's ECR service model; see testdata/README.md).
func TestOperationErrorsMatchTheModel(t *testing.T) {
	data, err := os.ReadFile("testdata/ecr-service-2.json")
	if err != nil {
		t.Fatal(err)
	}
	var model struct {
		Operations map[string]struct {
			Errors []struct{ Shape string } `json:"errors"`
		} `json:"operations"`
	}
	if err := json.Unmarshal(data, &model); err != nil {
		t.Fatal(err)
	}
	for _, op := range ecrapi.Operations() {
		var want []string
		for _, e := range model.Operations[op].Errors {
			want = append(want, e.Shape)
		}
		got := ecrapi.OperationErrors(op)
		slices.Sort(got)
		slices.Sort(want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: table %v, model %v", op, got, want)
		}
	}
}

func TestPushStatusesFollowTheRulesOfThatPush(t *testing.T) {
	_, _, c := newTestWorld()
	createRepo(t, c, "team/api")
	putSigning(t, c, signing(rule(profProd)))
	push(t, c, "team/api", 1, "")
	putSigning(t, c, signing(rule(profAudit), rule(profProd)))
	res := repush(t, c, "team/api", 1, "")
	if res.SigningStatuses[0].SigningProfileArn != profAudit || res.SigningStatuses[1].SigningProfileArn != profProd {
		t.Fatalf("push statuses are not in rule order: %+v", res.SigningStatuses)
	}
	// Describe lists profiles in the order the image first used them.
	got := statuses(t, c, "team/api", ecrapi.ImageIdentifier{ImageDigest: ecrapi.Digest(manifest(1))})
	if got[0].SigningProfileArn != profProd || got[1].SigningProfileArn != profAudit {
		t.Fatalf("describe order %+v", got)
	}
}

func TestExceptions(t *testing.T) {
	for _, code := range []string{
		ecrapi.ServerException, ecrapi.InvalidParameterException, ecrapi.ValidationException,
		ecrapi.SigningConfigurationNotFoundException, ecrapi.RepositoryNotFoundException,
		ecrapi.RepositoryAlreadyExistsException, ecrapi.ImageNotFoundException,
		ecrapi.ImageTagAlreadyExistsException, ecrapi.ImageDigestDoesNotMatchException,
		ecrapi.ReferencedImagesNotFoundException,
	} {
		e := &ecrapi.Error{Code: code, Message: "m"}
		want := 400
		if e.ErrorCode() == "ServerException" {
			want = 500
		}
		if e.Error() != e.ErrorCode()+": m" || e.ErrorMessage() != "m" || e.HTTPStatusCode() != want {
			t.Errorf("%T: %q %q %d", e, e.Error(), e.ErrorMessage(), e.HTTPStatusCode())
		}
		listed := false
		for _, op := range ecrapi.Operations() {
			listed = listed || slices.Contains(ecrapi.OperationErrors(op), e.ErrorCode())
		}
		if !listed {
			t.Errorf("%s is raised by no operation of the model", e.ErrorCode())
		}
	}
}

func TestWorldDefaultsCanChange(t *testing.T) {
	clk := NewFrozenClock(t0)
	w := New(WithClock(clk), WithDefaultRegistry("111111111111", "eu-central-1"), WithDefaultPrincipal("arn:aws:iam::111111111111:role/x"))
	if c := w.client(Caller{}).Caller(); c != (Caller{"111111111111", "eu-central-1", "arn:aws:iam::111111111111:role/x"}) {
		t.Fatalf("caller %+v", c)
	}
	if c := w.client(Caller{Region: "us-west-2"}).Caller(); c.Region != "us-west-2" || c.Account != "111111111111" {
		t.Fatalf("caller %+v", c)
	}
	clk.Set(t0.Add(time.Hour))
	if !w.now().Equal(t0.Add(time.Hour)) {
		t.Fatal("ManualClock.Set")
	}
}

func TestSetProfileStatusValidates(t *testing.T) {
	tests := []struct {
		name    string
		arn     string
		status  ProfileStatus
		wantErr string // "" for none
		want    string // failure code of a push signed with arn afterwards
	}{
		{name: "revoked", arn: profProd, status: ProfileRevoked, want: ecrapi.FailureProfileRevoked},
		{name: "absent", arn: profProd, status: ProfileAbsent, want: ecrapi.FailureProfileNotFound},
		{name: "lower case", arn: profProd, status: "revoked", wantErr: `"revoked" is not ACTIVE, CANCELED, REVOKED or ABSENT`},
		{name: "empty", arn: profProd, status: "", wantErr: `"" is not ACTIVE`},
		{name: "not a profile ARN", arn: "arn:aws:iam::123456789012:role/x", status: ProfileRevoked, wantErr: "profile status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, _, c := newTestWorld(WithOptions(Options{}))
			putSigning(t, c, signing(rule(profProd)))
			createRepo(t, c, "team/api")
			err := w.SetProfileStatus(tt.arn, tt.status)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("SetProfileStatus: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("SetProfileStatus error %v; want one containing %q", err, tt.wantErr)
			}
			res := push(t, c, "team/api", 1, "")
			if got := res.SigningStatuses[0].FailureCode; got != tt.want {
				t.Fatalf("push after SetProfileStatus failed with %q; want %q (an invalid status changes nothing)", got, tt.want)
			}
		})
	}
}
