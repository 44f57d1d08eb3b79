// Meadow's world script. It runs only once the script sandbox of issue 6 exists (QuickJS in a
// worker, the world-sdk API only); until then it is bundled and signed like every other file.
export function onTick(world, dt) {}
