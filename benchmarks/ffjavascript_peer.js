// Times snarkjs' own arithmetic library (ffjavascript, the code behind `snarkjs groth16 prove`)
// on the operations benchmarks/bench_curve.py times in Python, so both land in one table.
//
//   node benchmarks/ffjavascript_peer.js NODE_MODULES OPERATION LOG_SIZE REPEAT
//
// OPERATION is msm-g1 or ntt. Prints one JSON line: {"operation", "log_size", "median_ms",
// "min_ms", "threads"}. ffjavascript uses its worker threads, as snarkjs does by default.
"use strict";

const path = require("path");

async function main() {
    const [nodeModules, operation, logText, repeatText] = process.argv.slice(2);
    const { buildBn128 } = require(path.join(nodeModules, "ffjavascript"));
    const curve = await buildBn128();
    const size = 1 << Number(logText);
    const run = await prepare(curve, operation, size);
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
        operation, log_size: Number(logText), median_ms: median, min_ms: samples[0],
        threads: curve.tm ? curve.tm.concurrency : 1,
    }));
    await curve.terminate();
}

async function prepare(curve, operation, size) {
    const Fr = curve.Fr;
    // Field elements of the wasm field are their own n8-byte (Montgomery) representation;
    // random elements are below r in either reading, which is all these timings need.
    const scalars = new Uint8Array(size * Fr.n8);
    for (let i = 0; i < size; i++) scalars.set(Fr.random(), i * Fr.n8);
    if (operation === "ntt") {
        const values = new Uint8Array(size * Fr.n8);
        for (let i = 0; i < size; i++) values.set(Fr.random(), i * Fr.n8);
        return () => Fr.fft(values);
    }
    if (operation === "msm-g1") {
        const G1 = curve.G1;
        const bases = new Uint8Array(size * G1.F.n8 * 2);
        let point = G1.timesFr(G1.g, Fr.random());
        const step = G1.timesFr(G1.g, Fr.random());
        for (let i = 0; i < size; i++) {
            G1.toRprLEM(bases, i * G1.F.n8 * 2, G1.toAffine(point));
            point = G1.add(point, step);
        }
        return () => G1.multiExpAffine(bases, scalars, false, "bench");
    }
    throw new Error(`unknown operation ${operation}`);
}

main().catch((error) => { console.error(String(error)); process.exit(1); });
