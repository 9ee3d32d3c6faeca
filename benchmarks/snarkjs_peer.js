// Times snarkjs inside one Node process, so that Node's start-up is not counted: its arithmetic
// library (ffjavascript, the code behind `snarkjs groth16 prove`) and its Groth16 API, on the
// operations the Python benchmarks time, so both land in one table.
//
//   node benchmarks/snarkjs_peer.js NODE_MODULES REPEAT msm-g1 LOG_SIZE
//   node benchmarks/snarkjs_peer.js NODE_MODULES REPEAT ntt LOG_SIZE
//   node benchmarks/snarkjs_peer.js NODE_MODULES REPEAT groth16-verify VK.json PUBLIC.json PROOF.json
//   node benchmarks/snarkjs_peer.js NODE_MODULES REPEAT groth16-prove KEY.zkey WITNESS.wtns
//
// Prints one JSON line: {"operation", "median_ms", "min_ms", "threads"}. ffjavascript uses its
// worker threads, as snarkjs does by default. One untimed warm-up run comes first.
"use strict";

const fs = require("fs");
const path = require("path");

async function main() {
    const [nodeModules, repeatText, operation, ...operands] = process.argv.slice(2);
    const need = (name) => require(path.join(nodeModules, name));
    const curve = await need("ffjavascript").buildBn128();
    const run = await prepare(need, curve, operation, operands);
    await run();
    const samples = [];
    for (let i = 0; i < Number(repeatText); i++) {
        const started = process.hrtime.bigint();
        await run();
        samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    samples.sort((a, b) => a - b);
    const middle = samples.length >> 1;
    const median = samples.length % 2 ? samples[middle] : (samples[middle - 1] + samples[middle]) / 2;
    console.log(JSON.stringify({
        operation, median_ms: median, min_ms: samples[0],
        threads: curve.tm ? curve.tm.concurrency : 1,
    }));
    // snarkjs keeps its own curve (and worker threads) alive in a global: leave explicitly
    process.exit(0);
}

async function prepare(need, curve, operation, operands) {
    if (operation === "ntt") return nttRun(curve, 1 << Number(operands[0]));
    if (operation === "msm-g1") return msmRun(curve, 1 << Number(operands[0]));
    const groth16 = need("snarkjs").groth16;
    const json = (file) => JSON.parse(fs.readFileSync(file, "utf8"));
    if (operation === "groth16-verify") {
        const [vk, publicSignals, proof] = operands.map(json);
        return async () => {
            if (!(await groth16.verify(vk, publicSignals, proof))) throw new Error("proof rejected");
        };
    }
    if (operation === "groth16-prove") {
        const [zkey, wtns] = operands.map((file) => ({ type: "mem", data: fs.readFileSync(file) }));
        return () => groth16.prove(zkey, wtns);
    }
    throw new Error(`unknown operation ${operation}`);
}

// Field elements of the wasm field are their own n8-byte (Montgomery) representation; random
// elements are below r in either reading, which is all these timings need.
function randomElements(Fr, size) {
    const buffer = new Uint8Array(size * Fr.n8);
    for (let i = 0; i < size; i++) buffer.set(Fr.random(), i * Fr.n8);
    return buffer;
}

function nttRun(curve, size) {
    const values = randomElements(curve.Fr, size);
    return () => curve.Fr.fft(values);
}

function msmRun(curve, size) {
    const { G1, Fr } = curve;
    const scalars = randomElements(Fr, size);
    const bases = new Uint8Array(size * G1.F.n8 * 2);
    let point = G1.timesFr(G1.g, Fr.random());
    const step = G1.timesFr(G1.g, Fr.random());
    for (let i = 0; i < size; i++) {
        G1.toRprLEM(bases, i * G1.F.n8 * 2, G1.toAffine(point));
        point = G1.add(point, step);
    }
    return () => G1.multiExpAffine(bases, scalars, false, "bench");
}

main().catch((error) => { console.error(String(error)); process.exit(1); });
