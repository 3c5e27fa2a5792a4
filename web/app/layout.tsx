import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import en from "@/lib/i18n/en";
import { SNAPSHOT_PAINT_SCRIPT } from "@/lib/mailbox-snapshot-script";
import { THEME_SCRIPT } from "@/lib/theme-script";
import "./globals.css";

export const metadata: Metadata = {
  title: en["app.name"],
  description: en["app.tagline"],
  applicationName: en["app.name"],
  referrer: "no-referrer",
  robots: { index: false, follow: false },
  icons: {
    icon: [{ url: "/icon.svg", type: "image/svg+xml" }],
    apple: [{ url: "/apple-touch-icon.png", sizes: "180x180" }],
  },
  appleWebApp: { capable: true, title: en["app.name"], statusBarStyle: "default" },
};

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  viewportFit: "cover",
  colorScheme: "light dark",
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#ffffff" },
    { media: "(prefers-color-scheme: dark)", color: "#09090b" },
  ],
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* Sets the dark class before first paint; inline (the CSP allows it by hash), so the
            parser fetches nothing before the page's first frame. */}
        <script dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body>
        {/* Paints the mailbox as last shown before the app's chunks run (see the module); inline
            and first in <body>, so the parser runs it at once and parses the rest after it. */}
        <script dangerouslySetInnerHTML={{ __html: SNAPSHOT_PAINT_SCRIPT }} />
        {children}
      </body>
    </html>
  );
}
