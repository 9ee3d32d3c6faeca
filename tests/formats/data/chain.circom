pragma circom 2.0.0;
template Chain(N){ signal input x; signal input y; signal output out; signal t[N+1]; t[0] <== x; for (var i=0;i<N;i++){ t[i+1] <== t[i]*y + 3; } out <== t[N]; }
component main {public [y]} = Chain(5);
