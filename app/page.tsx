export default function HomePage() {
  return (
    <main>
      <h1>Nightshift</h1>
    </main>
  );
}
