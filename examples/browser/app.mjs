// The page's logic: a drawing pad, its downscaling to the model's input, and onnxruntime-web running model.onnx.
// model.json (written by make_model.py) gives the input's side in pixels and the class names.
import * as ort from "./node_modules/onnxruntime-web/dist/ort.wasm.min.mjs";

ort.env.wasm.wasmPaths = new URL("./node_modules/onnxruntime-web/dist/", import.meta.url).href;
ort.env.wasm.numThreads = 1; // threads need cross-origin isolation, which a plain local server does not give

const pad = document.getElementById("pad");
const seen = document.getElementById("seen");
const status = document.getElementById("status");
const ctx = pad.getContext("2d");

function clearPad() {
  ctx.fillStyle = "#000";
  ctx.fillRect(0, 0, pad.width, pad.height);
  seen.getContext("2d").clearRect(0, 0, seen.width, seen.height);
  document.getElementById("answer").textContent = "\u00a0";
  document.getElementById("scores").replaceChildren();
}

// The drawing, as the model's input: grey levels in [0, 1], side x side, row by row (as fcnet's loaders give).
function padPixels(side) {
  const small = document.createElement("canvas");
  small.width = small.height = side;
  const sctx = small.getContext("2d");
  sctx.imageSmoothingEnabled = true;
  sctx.imageSmoothingQuality = "high";
  sctx.drawImage(pad, 0, 0, side, side);
  const rgba = sctx.getImageData(0, 0, side, side).data;
  const pixels = new Float32Array(side * side);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rgba[4 * i] / 255;
  return pixels;
}

function showSeen(pixels, side) {
  const image = new ImageData(side, side);
  for (let i = 0; i < pixels.length; i++) {
    const v = Math.round(pixels[i] * 255);
    image.data.set([v, v, v, 255], 4 * i);
  }
  const tmp = document.createElement("canvas");
  tmp.width = tmp.height = side;
  tmp.getContext("2d").putImageData(image, 0, 0);
  const sctx = seen.getContext("2d");
  sctx.imageSmoothingEnabled = false;
  sctx.clearRect(0, 0, seen.width, seen.height);
  sctx.drawImage(tmp, 0, 0, seen.width, seen.height);
}

function showScores(probabilities, names) {
  const order = [...probabilities.keys()].sort((a, b) => probabilities[b] - probabilities[a]);
  document.getElementById("answer").textContent = `${names[order[0]]} (${(100 * probabilities[order[0]]).toFixed(1)}%)`;
  const rows = order.slice(0, 5).map((k) => {
    const row = document.createElement("tr");
    row.innerHTML = `<td>${names[k]}</td><td style="width: 12rem"><div class="bar" style="width: ${
      (100 * probabilities[k]).toFixed(1)}%"></div></td><td>${(100 * probabilities[k]).toFixed(1)}%</td>`;
    return row;
  });
  document.getElementById("scores").replaceChildren(...rows);
}

async function main() {
  const info = await (await fetch("model.json")).json();
  const session = await ort.InferenceSession.create("model.onnx", { executionProviders: ["wasm"] });
  const side = info.side;

  // What the tests (and a curious reader) can call: the probabilities for given pixels.
  async function classify(pixels) {
    const input = new ort.Tensor("float32", Float32Array.from(pixels), [1, side * side]);
    const output = await session.run({ [session.inputNames[0]]: input });
    return Array.from(output.probabilities.data);
  }

  async function classifyPad() {
    const pixels = padPixels(side);
    showSeen(pixels, side);
    const probabilities = await classify(pixels);
    window.fcnet.lastInput = Array.from(pixels);
    window.fcnet.lastProbabilities = probabilities;
    showScores(probabilities, info.class_names);
  }

  let drawing = false;
  ctx.lineCap = ctx.lineJoin = "round";
  ctx.strokeStyle = "#fff";
  ctx.lineWidth = Math.max(pad.width / 11, (1.2 * pad.width) / side); // a stroke at least a pixel wide at the input
  pad.addEventListener("pointerdown", (e) => {
    drawing = true;
    ctx.beginPath();
    ctx.moveTo(e.offsetX, e.offsetY);
  });
  pad.addEventListener("pointermove", (e) => {
    if (!drawing) return;
    ctx.lineTo(e.offsetX, e.offsetY);
    ctx.stroke();
  });
  const finish = async () => {
    if (!drawing) return;
    drawing = false;
    await classifyPad();
  };
  pad.addEventListener("pointerup", finish);
  pad.addEventListener("pointerleave", finish);
  document.getElementById("clear").addEventListener("click", clearPad);

  // Paint an image (side x side grey levels in [0, 1]) onto the pad, one square per pixel, and classify the pad:
  // how the tests put a real test image where a person would draw.
  async function paintImage(pixels) {
    const cell = pad.width / side;
    for (let i = 0; i < side * side; i++) {
      const v = Math.round(pixels[i] * 255);
      ctx.fillStyle = `rgb(${v}, ${v}, ${v})`;
      ctx.fillRect((i % side) * cell, Math.floor(i / side) * cell, cell, cell);
    }
    await classifyPad();
  }

  window.fcnet = { classify, classifyPad, paintImage, side, classNames: info.class_names, ready: true };
  status.textContent = `${info.title}: draw in the black square (${side}\u00d7${side} pixels reach the network).`;
}

clearPad();
main().catch((error) => {
  status.textContent = `Could not load the model: ${error}`;
  window.fcnet = { error: String(error) };
});
