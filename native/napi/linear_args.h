// The epilogue options shared by the test entry points that run one linear layer
// (tiledLinear, linearProduct): a bias of n values, the GELU, and C to add the product to.
#pragma once

#include <napi.h>

#include <algorithm>
#include <vector>

#include "kernels/gemm.h"
#include "napi/args.h"

namespace amanuensis {

struct linear_epilogue_args {
    float_copy bias;          // empty when none
    float_copy c;             // [m, n] when accumulate
    bool accumulate = false;  // `c` given: C += the product (the residual epilogue)
    bool gelu = false;

    // The output before the product: `c` when given, else zeros.
    std::vector<float> initial_output(size_t n) const {
        std::vector<float> out(n, 0.0f);
        if (accumulate) {
            std::copy(c.begin(), c.end(), out.begin());
        }
        return out;
    }
    gemm_epilogue epilogue() const { return gemm_epilogue{bias.size() > 0 ? bias.data() : nullptr, gelu, accumulate}; }
};

// { bias?, gelu?, c? } of a product [m, n]; throws ERR_INVALID_ARGUMENT for a bias or C of the wrong size.
inline linear_epilogue_args linear_epilogue_options(Napi::Env env, const Napi::Object & o, int m, int n) {
    linear_epilogue_args out;
    out.bias = o.Get("bias").IsUndefined() ? float_copy() : copy_floats(o.Get("bias"), "bias");
    if (out.bias.size() != 0 && out.bias.size() != static_cast<size_t>(n)) {
        invalid_argument(env, "bias must have n values");
    }
    out.accumulate = !o.Get("c").IsUndefined();
    out.c = out.accumulate ? copy_floats(o.Get("c"), "c") : float_copy();
    if (out.accumulate && out.c.size() != static_cast<size_t>(m) * n) {
        invalid_argument(env, "c must be [m, n]");
    }
    out.gelu = bool_field(o, "gelu", false);
    return out;
}

} // namespace amanuensis
