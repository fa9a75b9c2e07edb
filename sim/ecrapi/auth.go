package ecrapi

// GetAuthorizationTokenRequest is the input of GetAuthorizationToken.
type GetAuthorizationTokenRequest struct {
	RegistryIDs []string `json:"registryIds,omitempty"`
}

// GetAuthorizationTokenResponse is the output of GetAuthorizationToken.
type GetAuthorizationTokenResponse struct {
	AuthorizationData []AuthorizationData `json:"authorizationData"`
}

// AuthorizationData is one registry login: AuthorizationToken is base64 of "AWS:PASSWORD".
type AuthorizationData struct {
	AuthorizationToken string     `json:"authorizationToken,omitempty"`
	ExpiresAt          *Timestamp `json:"expiresAt,omitempty"`
	ProxyEndpoint      string     `json:"proxyEndpoint,omitempty"`
}

// MaxTokenRegistryIDs bounds GetAuthorizationToken's registryIds.
const MaxTokenRegistryIDs = 10
