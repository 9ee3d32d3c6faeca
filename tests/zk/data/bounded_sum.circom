pragma circom 2.0.0;
// A weighted sum over a 2x3 matrix input, checked against a bound only at witness time:
// the array input exercises row-major flattening, the assert and log the error/log imports.
template BoundedSum(R, C) {
    signal input m[R][C];
    signal input bound;
    signal output total;
    signal output corner;
    signal partial[R * C + 1];
    partial[0] <== 0;
    for (var i = 0; i < R; i++) {
        for (var j = 0; j < C; j++) {
            partial[i * C + j + 1] <== partial[i * C + j] + (i * C + j + 1) * m[i][j];
        }
    }
    total <== partial[R * C];
    corner <== m[0][C - 1] * m[R - 1][0];
    log("total", total);
    assert(total < bound);
}
component main {public [bound]} = BoundedSum(2, 3);
