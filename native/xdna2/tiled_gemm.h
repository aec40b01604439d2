// The host side of the XDNA2 offload: a linear layer C = A W^T (+ bias, GELU, residual)
// cut into the device kernel's fixed tile shape. Weights are packed once into bf16 tiles;
// activations are rounded to bf16 and zero-padded to whole tiles; the tiles of one output
// block run one after another over K while the host fills the next slot (double-buffered),
// and their f32 partial products are summed on the host.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/gemm.h"
#include "gemm_device.h"

namespace amanuensis {

// A linear weight W [N, K] (PyTorch's [out, in]) as B = W^T [K, N] in bf16 tiles of
// [tile.k, tile.n], zero beyond N and K. Tile (kt, nt) starts at ((kt * n_tiles + nt) * tile.k * tile.n).
struct packed_weight {
    int n = 0;
    int k = 0;
    gemm_tile_shape tile;
    int k_tiles = 0;
    int n_tiles = 0;
    std::vector<uint16_t> tiles;

    const uint16_t * at(int kt, int nt) const {
        return tiles.data() + (static_cast<size_t>(kt) * n_tiles + nt) * tile.k * tile.n;
    }
};

// Packs W (f32 or f16) for tiles of `tile`. Throws native_error(errc::invalid_argument) for an empty W.
packed_weight pack_linear_weight(const matrix_view & w, gemm_tile_shape tile);

// Counters of one or more tiled products.
struct tiled_gemm_stats {
    int64_t tiles = 0;        // kernel launches
    int64_t padded_macs = 0;  // multiply-adds the device performed, padding included
    int64_t useful_macs = 0;  // M * N * K
};

// C[M, N] = A[M, K] W^T, then ep (bias, GELU, C +=) on the host. A is f32 with row stride lda.
// The weight must have been packed for device.tile(). Throws what the device throws, or
// native_error(errc::invalid_argument) when the shapes disagree.
void tiled_linear(gemm_device & device, int M, const float * A, int64_t lda, const packed_weight & W, float * C,
                  int64_t ldc, const gemm_epilogue & ep, tiled_gemm_stats * stats);

} // namespace amanuensis
