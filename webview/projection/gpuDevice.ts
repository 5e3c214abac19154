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
  if (choice === 'auto' && adapter.isFallbackAdapter)
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
 * Why an empty submission did not complete within 3 s, or '' when it did. A Chromium here without its
 * Vulkan flags grants an adapter and a device that fail at their first use; the canvas would then be
 * taken by WebGPU for good and stay blank, so the device is tried before the canvas is.
 */
async function firstUseFails(device: GPUDevice): Promise<string> {
  device.queue.submit([device.createCommandEncoder().finish()]);
  let timer = 0;
  const why = await Promise.race([
    device.queue.onSubmittedWorkDone().then(
      () => '',
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    ),
    device.lost.then((i) => i.message || 'lost'),
    new Promise<string>((r) => (timer = window.setTimeout(() => r('no answer in 3 s'), 3000))),
  ]);
  window.clearTimeout(timer);
  return why;
}
