/**
 * Whether the points are drawn with WebGPU: the setting `embeddingInspector.projection.renderer`
 * ('auto' | 'webgpu' | 'webgl2') against what this webview offers. 'auto' takes WebGPU when the
 * webview has a hardware adapter, and WebGL 2 otherwise: a software adapter (SwiftShader, as in this
 * project's test browser with its unsafe flags) draws slower than software WebGL 2 does
 * (`npm run bench:projection -- --renderer`). 'webgpu' takes any adapter.
 */
import type { RendererChoice } from './pointRenderer';

/** The device to draw with, or null for WebGL 2, and why (for the log). */
export async function gpuDevice(choice: RendererChoice): Promise<{ device: GPUDevice | null; why: string }> {
  if (choice === 'webgl2') return { device: null, why: 'the setting asks for WebGL 2' };
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return { device: null, why: 'this webview has no WebGPU' };
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null);
  if (!adapter) return { device: null, why: 'this webview has no WebGPU adapter' };
  if (choice === 'auto' && isSoftware(adapter))
    return { device: null, why: 'the WebGPU adapter is a software one (WebGL 2 draws faster there)' };
  try {
    const device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
      },
    });
    const broken = await firstUseFails(device);
    if (broken) {
      device.destroy();
      return { device: null, why: `the WebGPU device failed at its first use (${broken})` };
    }
    return { device, why: '' };
  } catch (e) {
    return { device: null, why: `the WebGPU device could not start (${e instanceof Error ? e.message : String(e)})` };
  }
}

/**
 * Why a first drawing did not complete within 3 s, or '' when it did: a clear of a small offscreen
 * canvas. This Chromium, started with --disable-gpu or without its Vulkan flags, grants an adapter
 * and a device that work until a canvas is drawn to, and then fail for good ("A valid external
 * Instance reference no longer exists"); the points' canvas would then be WebGPU's and stay blank,
 * so the device is tried on a canvas of its own before the points' canvas is given to it.
 */
async function firstUseFails(device: GPUDevice): Promise<string> {
  let timer = 0;
  const drawn = (async () => {
    const ctx = new OffscreenCanvas(4, 4).getContext('webgpu');
    if (!ctx) return 'no WebGPU canvas';
    ctx.configure({ device, format: navigator.gpu.getPreferredCanvasFormat(), alphaMode: 'opaque' });
    const enc = device.createCommandEncoder();
    enc
      .beginRenderPass({
        colorAttachments: [{ view: ctx.getCurrentTexture().createView(), loadOp: 'clear', storeOp: 'store' }],
      })
      .end();
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
    return '';
  })().catch((e: unknown) => (e instanceof Error ? e.message : String(e)));
  const why = await Promise.race([
    drawn,
    device.lost.then((i) => i.message || 'lost'),
    new Promise<string>((r) => (timer = window.setTimeout(() => r('no answer in 3 s'), 3000))),
  ]);
  window.clearTimeout(timer);
  return why;
}

/**
 * A CPU adapter (SwiftShader and the like): `info.isFallbackAdapter` in current Chromium (156 here has no
 * `adapter.isFallbackAdapter` any more), the older field, or SwiftShader by name.
 */
function isSoftware(adapter: GPUAdapter): boolean {
  const a = adapter as GPUAdapter & {
    info?: { isFallbackAdapter?: boolean; vendor?: string; architecture?: string; description?: string };
  };
  const info = a.info ?? {};
  return (
    info.isFallbackAdapter === true ||
    a.isFallbackAdapter === true ||
    /swiftshader/i.test(`${info.vendor ?? ''} ${info.architecture ?? ''} ${info.description ?? ''}`)
  );
}
