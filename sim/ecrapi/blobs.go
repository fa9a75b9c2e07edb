package ecrapi

const (
	// MaxLayerPartBytes bounds one UploadLayerPart (the model's LayerPartBlob maximum).
	MaxLayerPartBytes = 20971520
)
