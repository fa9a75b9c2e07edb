package ecrapi_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ecrsign/ecrsign/sim/ecrapi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTimestampRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		in   time.Time
		wire string
	}{
		{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "1767225600.000"},
		{time.Date(2026, 1, 1, 0, 0, 0, 250e6, time.UTC), "1767225600.250"},
		{time.Unix(0, 0).UTC(), "0.000"},
	} {
		b, err := json.Marshal(ecrapi.Timestamp{Time: tt.in})
		require.NoError(t, err)
		assert.Equal(t, tt.wire, string(b))
		var back ecrapi.Timestamp
		require.NoError(t, json.Unmarshal(b, &back))
		assert.True(t, back.Equal(tt.in), "%s decodes to %v, want %v", b, back.Time, tt.in)
	}
	for _, bad := range []string{`"2026-01-01"`, `1e12`, `{}`, `true`} {
		var ts ecrapi.Timestamp
		assert.Error(t, json.Unmarshal([]byte(bad), &ts), bad)
	}
	kept := ecrapi.Timestamp{Time: time.Unix(5, 0)}
	require.NoError(t, json.Unmarshal([]byte("null"), &kept))
	assert.Equal(t, int64(5), kept.Unix(), "null is no value")
}

func TestOperationsAndTheirErrors(t *testing.T) {
	ops := ecrapi.Operations()
	assert.Len(t, ops, 26)
	assert.True(t, slices.IsSorted(ops))
	for _, op := range ops {
		errs := ecrapi.OperationErrors(op)
		assert.Contains(t, errs, ecrapi.ServerException, "%s", op)
		for _, e := range errs {
			assert.True(t, ecrapi.Raises(op, e))
		}
	}
	assert.True(t, ecrapi.Raises(ecrapi.OpPutImage, ecrapi.LimitExceededException))
	assert.False(t, ecrapi.Raises(ecrapi.OpPutImage, ecrapi.ValidationException), "PutImage reports constraint violations as InvalidParameterException")
	assert.Nil(t, ecrapi.OperationErrors("CreatePullThroughCacheRule"), "not served")
	// the caller's copy cannot change the model
	errs := ecrapi.OperationErrors(ecrapi.OpPutImage)
	errs[0] = "Changed"
	assert.NotEqual(t, "Changed", ecrapi.OperationErrors(ecrapi.OpPutImage)[0])
}

func TestErrorStatus(t *testing.T) {
	var err error = &ecrapi.Error{Code: ecrapi.ImageNotFoundException, Message: "gone"}
	var e *ecrapi.Error
	require.True(t, errors.As(err, &e))
	assert.Equal(t, 400, e.HTTPStatusCode())
	assert.Equal(t, "ImageNotFoundException: gone", err.Error())
	assert.Equal(t, 500, (&ecrapi.Error{Code: ecrapi.ServerException}).HTTPStatusCode())
	b, _ := json.Marshal(e)
	assert.JSONEq(t, `{"message":"gone"}`, string(b))
}

func TestPartition(t *testing.T) {
	for region, want := range map[string]string{
		"us-east-1": "aws", "cn-north-1": "aws-cn", "us-gov-west-1": "aws-us-gov",
		"us-iso-east-1": "aws-iso", "us-isob-east-1": "aws-iso-b", "eu-isoe-west-1": "aws-iso-e",
		"us-isof-south-1": "aws-iso-f", "": "aws",
	} {
		assert.Equal(t, want, ecrapi.Partition(region), region)
	}
}

// Digest names a manifest as ECR does: sha256 of its exact bytes.
func ExampleDigest() {
	fmt.Println(ecrapi.Digest("{}"))
	// Output: sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a
}
