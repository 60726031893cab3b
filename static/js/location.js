// "Add my location": a coarse position, only when the pastor asks for it.
// The server rounds again to three decimals (about 100 m); this never sends more.
const button = document.getElementById("add-location");
const status = document.getElementById("location-status");
const latitude = document.querySelector("input[name=latitude]");
const longitude = document.querySelector("input[name=longitude]");

if (button && "geolocation" in navigator) {
  button.hidden = false;
  button.addEventListener("click", () => {
    status.textContent = button.dataset.finding;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        latitude.value = position.coords.latitude.toFixed(3);
        longitude.value = position.coords.longitude.toFixed(3);
        status.textContent = `✓ ${latitude.value}, ${longitude.value}`;
      },
      () => {
        status.textContent = button.dataset.failed;
      },
      { enableHighAccuracy: false, maximumAge: 60000, timeout: 15000 },
    );
  });
}
