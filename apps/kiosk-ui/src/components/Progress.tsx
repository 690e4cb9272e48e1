/** Something is happening: a spinner with words (never a spinner alone). */
export function Progress({ text, testid }: { text: string; testid?: string }) {
  return (
    <div class="progress" role="status" aria-live="polite" data-testid={testid ?? 'progress'}>
      <svg class="spinner" width="1.6em" height="1.6em" viewBox="0 0 50 50" aria-hidden="true" focusable="false">
        <circle
          cx="25"
          cy="25"
          r="20"
          fill="none"
          stroke="currentColor"
          stroke-width="6"
          stroke-dasharray="90 150"
          stroke-linecap="round"
        />
      </svg>
      <span>{text}</span>
    </div>
  );
}
