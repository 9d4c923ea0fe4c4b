// Check-in at the migration centre: where the browser can read QR codes (BarcodeDetector), the
// camera reads the ticket's QR and the form is sent with what it holds (the check-in address
// with the code); elsewhere the operator types the code.

const start = document.getElementById("scan-start");
const video = document.getElementById("scan-video");
const input = document.getElementById("ticket-code");
const form = document.getElementById("check-in-form");

async function scan() {
  const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
  video.srcObject = stream;
  video.hidden = false;
  await video.play();
  const stop = () => stream.getTracks().forEach((track) => track.stop());
  const look = async () => {
    try {
      const found = await detector.detect(video);
      if (found.length) {
        stop();
        input.value = found[0].rawValue;
        form.submit();
        return;
      }
    } catch {
      // a frame that could not be read: try the next one
    }
    requestAnimationFrame(look);
  };
  look();
}

if ("BarcodeDetector" in window && navigator.mediaDevices) {
  start.hidden = false;
  start.addEventListener("click", () => scan().catch(() => {
    document.getElementById("scan-unavailable").hidden = false;
  }));
} else {
  document.getElementById("scan-unavailable").hidden = false;
}
