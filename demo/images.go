package demo

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
)

// Image is a generated picture the demo's story uses: shapes drawn by the program,
// standing for content that is never real.
type Image struct {
	Name string
	Data []byte
}

// images draws the demo's pictures: the still of the propaganda video its first case holds,
// and the same still re-encoded as JPEG, as a re-upload elsewhere would be.
func images() []Image {
	img := image.NewRGBA(image.Rect(0, 0, 480, 270))
	for y := range 270 {
		for x := range 480 {
			// A dark sky over a light ground, a sun, and three standing bars: shapes with
			// edges, which perceptual hashing keeps through re-encoding.
			c := color.RGBA{uint8(40 + y/3), uint8(50 + y/4), 120, 255}
			if y > 180 {
				c = color.RGBA{200, 190, uint8(150 + x/8), 255}
			}
			if math.Hypot(float64(x)-360, float64(y)-70) < 40 {
				c = color.RGBA{250, 210, 60, 255}
			}
			for i, left := range []int{60, 150, 240} {
				if x >= left && x < left+40 && y > 100+20*i && y < 240 {
					c = color.RGBA{uint8(30 * i), 30, 30, 255}
				}
			}
			img.Set(x, y, c)
		}
	}
	var still, copy bytes.Buffer
	png.Encode(&still, img)                             // to memory: cannot fail
	jpeg.Encode(&copy, img, &jpeg.Options{Quality: 70}) // to memory: cannot fail
	return []Image{{Name: "still.png", Data: still.Bytes()}, {Name: "reupload.jpg", Data: copy.Bytes()}}
}
