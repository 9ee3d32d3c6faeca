pragma circom 2.0.0;
include "poseidon.circom";
include "comparators.circom";
template BoundedCommitment() {
    signal input secret;
    signal input amount;
    signal input limit;
    signal output commitment;
    component hash = Poseidon(2);
    hash.inputs[0] <== secret;
    hash.inputs[1] <== amount;
    commitment <== hash.out;
    component below = LessThan(64);
    below.in[0] <== amount;
    below.in[1] <== limit;
    below.out === 1;
}
component main {public [limit]} = BoundedCommitment();
