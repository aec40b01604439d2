#include "tiled_gemm.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "kernels/fp16.h"
#include "kernels/quant.h"
#include "kernels/scalar_math.h"
#include "core/whisper_model.h"
#include "bf16.h"

namespace amanuensis {

namespace {

int tiles_for(int extent, int side) { return (extent + side - 1) / side; }

float weight_at(const matrix_view & w, int64_t row, int64_t col) {
    return weight_element(w, row, col);
}

// One output block (mt, nt) of the product, reduced over the k tiles.
struct output_block {
    int mt = 0;
    int nt = 0;
};

} // namespace

packed_weight pack_linear_weight(const matrix_view & w, gemm_tile_shape tile) {
    if (w.data == nullptr || w.rows < 1 || w.cols < 1) {
        throw native_error(errc::invalid_argument, "cannot pack an empty weight");
    }
    packed_weight p;
    p.n = static_cast<int>(w.rows);
    p.k = static_cast<int>(w.cols);
    p.tile = tile;
    p.k_tiles = tiles_for(p.k, tile.k);
    p.n_tiles = tiles_for(p.n, tile.n);
    p.tiles.assign(static_cast<size_t>(p.k_tiles) * p.n_tiles * tile.k * tile.n, 0);
    for (int kt = 0; kt < p.k_tiles; ++kt) {
        for (int nt = 0; nt < p.n_tiles; ++nt) {
            uint16_t * dst = p.tiles.data() + (static_cast<size_t>(kt) * p.n_tiles + nt) * tile.k * tile.n;
            const int k_end = std::min(tile.k, p.k - kt * tile.k);
            const int n_end = std::min(tile.n, p.n - nt * tile.n);
            for (int kk = 0; kk < k_end; ++kk) {
                for (int nn = 0; nn < n_end; ++nn) {
                    // B[k, n] = W[n, k]
                    dst[kk * tile.n + nn] = fp32_to_bf16(weight_at(w, nt * tile.n + nn, kt * tile.k + kk));
                }
            }
        }
    }
    return p;
}

void tiled_linear(gemm_device & device, int M, const float * A, int64_t lda, const packed_weight & W, float * C,
                  int64_t ldc, const gemm_epilogue & ep, tiled_gemm_stats * stats) {
    const gemm_tile_shape t = device.tile();
    if (t.m != W.tile.m || t.k != W.tile.k || t.n != W.tile.n) {
        throw native_error(errc::invalid_argument, "the weight was packed for another tile shape");
    }
    if (M < 1 || lda < W.k || ldc < W.n) {
        throw native_error(errc::invalid_argument, "tiled_linear: bad M or strides");
    }
    const int m_tiles = tiles_for(M, t.m);
    const int n_pad = W.n_tiles * t.n;
    const int k_pad = W.k_tiles * t.k;

    // A in bf16, zero-padded to whole tiles: [m_tiles * t.m, k_pad]
    std::vector<uint16_t> a16(static_cast<size_t>(m_tiles) * t.m * k_pad, 0);
    for (int r = 0; r < M; ++r) {
        for (int c = 0; c < W.k; ++c) {
            a16[static_cast<size_t>(r) * k_pad + c] = fp32_to_bf16(A[r * lda + c]);
        }
    }
    // f32 sums of the partial products: [m_tiles * t.m, n_pad]
    std::vector<float> acc(static_cast<size_t>(m_tiles) * t.m * n_pad, 0.0f);

    // every (block, k tile) in order, k innermost; job j runs in slot j % slots
    const int slots = device.slots();
    const int64_t n_jobs = static_cast<int64_t>(m_tiles) * W.n_tiles * W.k_tiles;
    std::vector<int64_t> in_flight(slots, -1);

    auto decode = [&](int64_t j, output_block & blk, int & kt) {
        kt = static_cast<int>(j % W.k_tiles);
        const int64_t block = j / W.k_tiles;
        blk.nt = static_cast<int>(block % W.n_tiles);
        blk.mt = static_cast<int>(block / W.n_tiles);
    };
    auto gather = [&](int slot) {
        const int64_t j = in_flight[slot];
        if (j < 0) {
            return;
        }
        device.wait(slot);
        output_block blk;
        int kt;
        decode(j, blk, kt);
        const float * c = device.c(slot);
        for (int r = 0; r < t.m; ++r) {
            float * dst = acc.data() + (static_cast<size_t>(blk.mt) * t.m + r) * n_pad + static_cast<size_t>(blk.nt) * t.n;
            const float * src = c + static_cast<size_t>(r) * t.n;
            for (int col = 0; col < t.n; ++col) {
                dst[col] += src[col];
            }
        }
        in_flight[slot] = -1;
    };

    for (int64_t j = 0; j < n_jobs; ++j) {
        const int slot = static_cast<int>(j % slots);
        gather(slot);  // the slot's previous tile must be read before its buffers are refilled
        output_block blk;
        int kt;
        decode(j, blk, kt);
        uint16_t * a = device.a(slot);
        for (int r = 0; r < t.m; ++r) {
            std::memcpy(a + static_cast<size_t>(r) * t.k,
                        a16.data() + (static_cast<size_t>(blk.mt) * t.m + r) * k_pad + static_cast<size_t>(kt) * t.k,
                        sizeof(uint16_t) * t.k);
        }
        std::memcpy(device.b(slot), W.at(kt, blk.nt), sizeof(uint16_t) * t.k * t.n);
        device.start(slot);
        in_flight[slot] = j;
    }
    for (int s = 0; s < slots; ++s) {
        gather(static_cast<int>((n_jobs + s) % slots));
    }

    // the epilogue on the host, over the valid region only
    for (int r = 0; r < M; ++r) {
        const float * src = acc.data() + static_cast<size_t>(r) * n_pad;
        float * dst = C + r * ldc;
        for (int col = 0; col < W.n; ++col) {
            float v = src[col] + (ep.bias != nullptr ? ep.bias[col] : 0.0f);
            if (ep.gelu) {
                v = gelu_exact(v);
            }
            dst[col] = ep.accumulate ? dst[col] + v : v;
        }
    }
    if (stats != nullptr) {
        stats->tiles += n_jobs;
        stats->padded_macs += n_jobs * t.m * t.n * t.k;
        stats->useful_macs += static_cast<int64_t>(M) * W.n * W.k;
    }
}

} // namespace amanuensis
